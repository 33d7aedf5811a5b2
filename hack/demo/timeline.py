#!/usr/bin/env python3
"""Prints a live timeline of one kubeheal drill: fault injected, anomaly detected (with the
detector's explanation), action taken, recovered, verdict. Reads the FaultScenario, the
HealingPolicy it expects and the namespace's Events through kubectl every 2 s and prints only
what changed. Exits 0 when the scenario passed, 1 when it failed or the time ran out."""
import json
import subprocess
import sys
import time


def kubectl_json(*args):
    out = subprocess.run(["kubectl", *args, "-o", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    return json.loads(out.stdout)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: timeline.py NAMESPACE SCENARIO TIMEOUT_SECONDS")
    ns, scenario, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
    start = time.time()
    seen = set()
    # Events from before this drill (earlier drills, earlier runs) are not part of its timeline.
    before = kubectl_json("-n", ns, "get", "events") or {}
    for ev in before.get("items", []):
        seen.add("ev:" + ev["metadata"]["uid"] + str(ev.get("count", 1)))

    def say(key, text):
        if key in seen:
            return
        seen.add(key)
        print(f"  +{time.time() - start:5.0f}s  {text}", flush=True)

    while time.time() - start < timeout:
        fs = kubectl_json("-n", ns, "get", "faultscenario", scenario)
        if fs is None:
            say("missing", f"FaultScenario {ns}/{scenario} not found (yet)")
            time.sleep(2)
            continue
        st = fs.get("status", {})
        phase = st.get("phase", "")
        if phase:
            targets = ", ".join(t.get("pod", t.get("name", "?")) if isinstance(t, dict) else str(t)
                                for t in st.get("targets", []))
            say("phase:" + phase, f"scenario {scenario}: {phase}" + (f" (targets: {targets})" if targets else ""))
        policy_name = fs.get("spec", {}).get("expect", {}).get("policyRef", {}).get("name")
        hp = {}
        if policy_name:
            hp = kubectl_json("-n", ns, "get", "healingpolicy", policy_name) or {}
            hst = hp.get("status", {})
            if hst.get("phase"):
                say("hp:" + hst["phase"] + ":" + str(len(hst.get("history", []))),
                    f"policy {policy_name}: phase {hst['phase']}")
            for sig in hst.get("signals", []):
                if sig.get("severity", "normal") not in ("normal", ""):
                    say("sig:" + sig.get("name", "") + ":" + sig["severity"],
                        f"detected  {sig.get('name')}: {sig.get('severity')} — {sig.get('explanation', '')}")
            first_look = "hp-seen" not in seen
            seen.add("hp-seen")
            for h in hst.get("history", []):
                key = "act:" + json.dumps(h, sort_keys=True)[:200]
                if first_look:  # actions of earlier drills
                    seen.add(key)
                say(key, f"action    {h.get('action')} {h.get('result', '')} — {h.get('message', '')}")
        related = {scenario}
        if policy_name:
            related.add(policy_name)
            related.add((hp.get("spec", {}).get("targetRef", {}) or {}).get("name", ""))
        events = kubectl_json("-n", ns, "get", "events") or {}
        for ev in sorted(events.get("items", []), key=lambda e: e.get("lastTimestamp") or ""):
            src = ev.get("source", {}).get("component", "") or ev.get("reportingComponent", "")
            if "kubeheal" not in src or ev.get("involvedObject", {}).get("name") not in related:
                continue
            say("ev:" + ev["metadata"]["uid"] + str(ev.get("count", 1)),
                f"event     {ev.get('involvedObject', {}).get('kind')}/{ev.get('involvedObject', {}).get('name')} "
                f"{ev.get('reason')}: {ev.get('message')}")
        verdict = st.get("verdict")
        if phase in ("Completed", "Failed") and verdict:
            say("verdict", f"verdict {verdict}  MTTD {st.get('mttd', '-')}  MTTR {st.get('mttr', '-')}")
            return 0 if verdict == "Passed" else 1
        time.sleep(2)
    print(f"  timeline: no verdict within {timeout:.0f}s", flush=True)
    return 1


if __name__ == "__main__":
    sys.exit(main())
