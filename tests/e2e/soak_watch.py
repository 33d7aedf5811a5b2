#!/usr/bin/env python3
"""Watches the HealingPolicies during a soak and reports what they did and how close they came.

  soak_watch.py NAMESPACE SINCE DURATION_S OUT_JSON POLICY...

Every 5 s it reads each policy (kubectl) and counts, per signal, the samples in which the signal
was anomalous, the distinct anomalies (by anomalousSince) and the longest an anomaly held,
against the signal's `for` (held >= for with a rule on it would have acted). At the end (after
DURATION_S) it prints the table, the healing actions taken since SINCE (status.history, reverts
and dry runs aside) and the rules that waited on a related policy; it writes the same to
OUT_JSON. Exit 0 when no action was taken, 1 otherwise.
"""
import datetime
import json
import subprocess
import sys
import time


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds(text):
    """Go duration of the CRD ('30s', '1m', '1m30s', '0s') in seconds."""
    total, num = 0.0, ""
    units = {"h": 3600, "m": 60, "s": 1}
    i = 0
    while i < len(text):
        c = text[i]
        if c.isdigit() or c == ".":
            num += c
        elif text[i:i + 2] == "ms":
            total += float(num) / 1000
            num = ""
            i += 1
        elif c in units:
            total += float(num) * units[c]
            num = ""
        i += 1
    return total


def read(ns, name):
    out = subprocess.run(["kubectl", "-n", ns, "get", "healingpolicy", name, "-o", "json"],
                         capture_output=True, text=True, timeout=30)
    return json.loads(out.stdout) if out.returncode == 0 else None


def main():
    if len(sys.argv) < 6:
        sys.exit(__doc__)
    ns, since_text, duration, out_path, policies = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5:]
    since = parse_time(since_text)
    stats = {}  # (policy, signal) -> dict
    waits = {}  # (policy, rule, on) -> samples
    read_errors = 0
    samples = 0
    end = time.time() + duration
    last = {}
    while True:
        now = datetime.datetime.now(datetime.timezone.utc)
        samples += 1
        for name in policies:
            hp = read(ns, name)
            if hp is None:
                read_errors += 1
                continue
            last[name] = hp
            hold_for = {s["name"]: seconds(s.get("for", "0s")) for s in hp.get("spec", {}).get("signals", [])}
            for s in hp.get("status", {}).get("signals", []):
                key = (name, s.get("name"))
                st = stats.setdefault(key, {"anomalous_samples": 0, "anomalies": set(), "longest_hold_s": 0.0,
                                            "for_s": hold_for.get(s.get("name"), 0.0), "samples": 0})
                st["samples"] += 1
                if s.get("anomalous"):
                    st["anomalous_samples"] += 1
                    started = s.get("anomalousSince")
                    if started:
                        st["anomalies"].add(started)
                        st["longest_hold_s"] = max(st["longest_hold_s"], (now - parse_time(started)).total_seconds())
            for w in hp.get("status", {}).get("waitingOn", []) or []:
                k = (name, w.get("rule"), w.get("policy"))
                waits[k] = waits.get(k, 0) + 1
        if time.time() >= end:
            break
        time.sleep(5)

    actions = []
    for name in policies:
        hp = read(ns, name) or last.get(name, {})
        for h in hp.get("status", {}).get("history", []):
            if h.get("time") and parse_time(h["time"]) >= since and h.get("action") != "revert" and not h.get("dryRun"):
                actions.append({"policy": name, "time": h["time"], "action": h.get("action"),
                                "rule": h.get("rule"), "message": h.get("message", "")[:300]})
    print(f"soak: {samples} samples every 5s over {duration:.0f}s; {read_errors} failed reads")
    print(f"  {'POLICY/SIGNAL':<28} {'ANOMALOUS':>10} {'ANOMALIES':>9} {'LONGEST':>8} {'FOR':>5}  CLOSEST TO ACTING")
    report = []
    for (policy, signal), st in sorted(stats.items()):
        ratio = st["longest_hold_s"] / st["for_s"] if st["for_s"] > 0 else (1.0 if st["anomalous_samples"] else 0.0)
        row = {"policy": policy, "signal": signal, "samples": st["samples"],
               "anomalous_samples": st["anomalous_samples"], "anomalies": len(st["anomalies"]),
               "longest_hold_s": round(st["longest_hold_s"], 1), "for_s": st["for_s"],
               "hold_over_for": round(ratio, 2)}
        report.append(row)
        print(f"  {policy + '/' + signal:<28} {st['anomalous_samples']:>5}/{st['samples']:<4} {len(st['anomalies']):>9} "
              f"{st['longest_hold_s']:>7.0f}s {st['for_s']:>4.0f}s  {ratio:.2f} of its for")
    for (policy, rule, on), n in sorted(waits.items()):
        print(f"  {policy}: rule {rule} waited on {on} in {n} samples")
    print(f"  healing actions since {since_text}: {len(actions)}")
    for a in actions:
        print(f"    {a['time']} {a['policy']}: {a['action']} (rule {a['rule']}): {a['message']}")
    with open(out_path, "w") as f:
        json.dump({"since": since_text, "duration_s": duration, "signals": report, "actions": actions,
                   "waits": [{"policy": p, "rule": r, "on": o, "samples": n} for (p, r, o), n in waits.items()]},
                  f, indent=1)
    return 0 if not actions else 1


if __name__ == "__main__":
    sys.exit(main())
