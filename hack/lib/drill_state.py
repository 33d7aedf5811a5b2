#!/usr/bin/env python3
"""State of a kubeheal installation that the drills (hack/lib/drills.sh: `make demo`, tests/e2e)
wait on, through kubectl.

  drill_state.py baseline NAMESPACE POLICY...  exit 0 when every policy's learning detectors have
                                               seen their minPoints (prints progress)
  drill_state.py leader NAMESPACE LEASE        prints the pod name holding the Lease
  drill_state.py holder NAMESPACE LEASE        prints the Lease's whole holderIdentity

Also a module: tests/e2e/checks.py imports kubectl_json from it.
"""
import json
import math
import subprocess
import sys


def kubectl_json(*args):
    out = subprocess.run(["kubectl", *args, "-o", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        return None
    return json.loads(out.stdout)


def needed_confidence(detector):
    """Confidence a learning detector reports once it has minPoints of history (the formulas of
    kubeheal::detectors: n/window for rolling windows and trend, 1-(1-alpha)^n for EWMA)."""
    kind = detector.get("type", "default")
    params = detector.get("params", {}) or {}
    if kind in ("threshold", "burnRate"):
        return 0.0
    if kind == "ewma":
        alpha = float(params.get("alpha", 0.3))
        return 1.0 - math.pow(1.0 - alpha, float(params.get("minPoints", 10)))
    if kind in ("zscore", "movingAverage", "mad"):
        window = float(params.get("window", 60))
        return min(1.0, float(params.get("minPoints", 10)) / window)
    if kind == "trend":
        window = float(params.get("window", 30))
        return min(1.0, float(params.get("minPoints", 5)) / window)
    return 0.0  # default ensemble, isolation forest: not used by the sample policies


def baseline(ns, policies):
    all_warm = True
    lines = []
    for name in policies:
        hp = kubectl_json("-n", ns, "get", "healingpolicy", name)
        if hp is None:
            all_warm = False
            lines.append(f"{name}: not found")
            continue
        st = hp.get("status", {})
        by_name = {s.get("name"): s for s in st.get("signals", [])}
        parts = []
        for sig in hp["spec"]["signals"]:
            need = needed_confidence(sig.get("detector", {}))
            have = by_name.get(sig["name"], {})
            conf = float(have.get("confidence", 0) or 0)
            # A signal that returned no value (no 5xx at all: empty vector) cannot warm; it
            # only matters for detectors that learn.
            warm = need == 0 or conf + 1e-9 >= need
            all_warm = all_warm and warm
            if need > 0:
                parts.append(f"{sig['name']} {conf:.2f}/{need:.2f}")
        anomalous = [s["name"] for s in st.get("signals", []) if s.get("anomalous")]
        if st.get("phase") not in ("Healthy", "Recovered"):
            all_warm = False
        if anomalous:
            all_warm = False
        lines.append(f"{name} {st.get('phase', '-')}: " + ", ".join(parts)
                     + (f"; anomalous: {','.join(anomalous)}" if anomalous else ""))
    print("; ".join(lines), flush=True)
    return 0 if all_warm else 1


def leader(ns, lease):
    obj = kubectl_json("-n", ns, "get", "lease", lease) or {}
    holder = obj.get("spec", {}).get("holderIdentity", "") or ""
    # The operator's identity is <pod name>_<suffix>.
    print(holder.rsplit("_", 2)[0] if "_" in holder else holder)
    return 0 if holder else 1


def holder(ns, lease):
    obj = kubectl_json("-n", ns, "get", "lease", lease) or {}
    identity = obj.get("spec", {}).get("holderIdentity", "") or ""
    print(identity)
    return 0 if identity else 1


def main():
    commands = {"baseline": lambda a: baseline(a[0], a[1:]), "leader": lambda a: leader(a[0], a[1]),
                "holder": lambda a: holder(a[0], a[1])}
    if len(sys.argv) < 4 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
