#!/usr/bin/env python3
"""Checks of the end-to-end drills that the FaultScenario verdict does not cover, through kubectl.

  checks.py consistent NAMESPACE SINCE POLICY...  drill 6: actions since SINCE (RFC 3339) were
                                                  taken on the policy's own anomalous signals and
                                                  no action flapped
  checks.py collateral NAMESPACE SINCE FAULTED POLICY...
                                                  drills 1-6: only the policies of the faulted
                                                  services (FAULTED, comma-separated) took actions
                                                  since SINCE; prints the actions per policy, and
                                                  who waited on whom (WaitingOnDependency Events)
  checks.py waited NAMESPACE SINCE POLICY         exit 0 when POLICY waited on a related policy
                                                  since SINCE (an Event WaitingOnDependency)
  checks.py oomkilled NAMESPACE SELECTOR          exit 1 when a container of the selected pods
                                                  was OOM-killed (state or last state)
  checks.py once NAMESPACE SINCE POLICY...        drill 7: every (rule, action) of the policies
                                                  was taken at most once since SINCE: a new leader
                                                  repeated nothing its predecessor did

Baseline, leader and holder: hack/lib/drill_state.py (the demo waits on them too).
"""
import datetime
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "hack", "lib"))
from drill_state import kubectl_json  # noqa: E402  (after the path that finds it)


def parse_time(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def consistent(ns, since_text, policies):
    since = parse_time(since_text)
    ok = True
    for name in policies:
        hp = kubectl_json("-n", ns, "get", "healingpolicy", name) or {}
        # Its spec's signals plus the workload facts every policy sees about its own pods.
        own = {s["name"] for s in hp.get("spec", {}).get("signals", [])} | {"crashingPods", "notReadyPods"}
        hist = [h for h in hp.get("status", {}).get("history", [])
                if h.get("time") and parse_time(h["time"]) >= since]
        taken = [h for h in hist if h.get("action") != "revert" and not h.get("dryRun")]
        summary = ", ".join(f"{h.get('action')}({h.get('result')})" for h in hist) or "none"
        print(f"  {name}: actions {summary}")
        for h in taken:
            signals = {e.get("signal") for e in h.get("evidence", [])}
            foreign = signals - own
            if foreign:
                ok = False
                print(f"  FAIL {name}: {h.get('action')} at {h.get('time')} cites signals that are "
                      f"not its own: {sorted(foreign)}")
            if not signals and h.get("action") != "alert":
                ok = False
                print(f"  FAIL {name}: {h.get('action')} at {h.get('time')} has no evidence")
        counts = {}
        for h in taken:
            counts[h.get("action")] = counts.get(h.get("action"), 0) + 1
        flapping = {a: n for a, n in counts.items() if n > 2}
        reverts = sum(1 for h in hist if h.get("action") == "revert")
        if flapping:
            ok = False
            print(f"  FAIL {name}: flapping, the same action repeated within the drill: {flapping}")
        if reverts > 2:
            ok = False
            print(f"  FAIL {name}: flapping, {reverts} reverts within the drill")
    return 0 if ok else 1


def actions_since(hp, since):
    return [h for h in hp.get("status", {}).get("history", [])
            if h.get("time") and parse_time(h["time"]) >= since
            and h.get("action") != "revert" and not h.get("dryRun")]


def waiting_events(ns, since, name):
    """Messages of the WaitingOnDependency Events of HealingPolicy NAME since SINCE."""
    events = kubectl_json("-n", ns, "get", "events", "--field-selector",
                          f"involvedObject.kind=HealingPolicy,involvedObject.name={name},reason=WaitingOnDependency")
    out = []
    for e in (events or {}).get("items", []):
        t = e.get("lastTimestamp") or e.get("eventTime") or e.get("metadata", {}).get("creationTimestamp")
        if t and parse_time(t) >= since:
            out.append(e.get("message", ""))
    return out


def collateral(ns, since_text, faulted_csv, policies):
    since = parse_time(since_text)
    faulted = {f for f in faulted_csv.split(",") if f}
    ok = True
    per_policy = []
    for name in policies:
        hp = kubectl_json("-n", ns, "get", "healingpolicy", name) or {}
        taken = actions_since(hp, since)
        per_policy.append(f"{name}:" + ("+".join(h.get("action", "?") for h in taken) or "-"))
        target = hp.get("spec", {}).get("targetRef", {}).get("name", name)
        if taken and target not in faulted:
            ok = False
            for h in taken:
                print(f"  FAIL {name}: {h.get('action')} at {h.get('time')} on {target}, which no fault of "
                      f"this drill touched: {h.get('message', '')[:200]}")
        for message in waiting_events(ns, since, name)[:2]:
            print(f"  {name} waited: {message[:240]}")
    print("  actions per policy: " + " ".join(per_policy))
    return 0 if ok else 1


def waited(ns, since_text, name):
    messages = waiting_events(ns, parse_time(since_text), name)
    hp = kubectl_json("-n", ns, "get", "healingpolicy", name) or {}
    now = [w for w in hp.get("status", {}).get("waitingOn", [])]
    if not messages:
        print(f"  FAIL {name}: never waited on a related policy (no WaitingOnDependency Event)")
        return 1
    print(f"  {name} waited on a related policy ({len(messages)} Events); status.waitingOn now: "
          + (", ".join(f"{w.get('policy')} ({w.get('relation')}, rule {w.get('rule')})" for w in now) or "none"))
    return 0


def oomkilled(ns, selector):
    pods = kubectl_json("-n", ns, "get", "pods", "-l", selector) or {"items": []}
    bad = []
    for pod in pods["items"]:
        for cs in pod.get("status", {}).get("containerStatuses", []):
            for state in (cs.get("state", {}), cs.get("lastState", {})):
                term = state.get("terminated")
                if term and term.get("reason") == "OOMKilled":
                    bad.append(f"{pod['metadata']['name']}/{cs['name']}")
    if bad:
        print("  OOMKilled: " + ", ".join(sorted(set(bad))))
        return 1
    print(f"  no OOMKilled container among {len(pods['items'])} pods ({selector})")
    return 0


def once(ns, since_text, policies):
    since = parse_time(since_text)
    ok = True
    for name in policies:
        hp = kubectl_json("-n", ns, "get", "healingpolicy", name) or {}
        seen = {}
        for h in actions_since(hp, since):
            seen.setdefault((h.get("rule"), h.get("action")), []).append(h.get("time"))
        for (rule, action), times in sorted(seen.items()):
            if len(times) > 1:
                ok = False
                print(f"  FAIL {name}: {action} of rule {rule} taken {len(times)} times: {', '.join(times)}")
        print(f"  {name}: " + (", ".join(f"{a} ({r}) x{len(t)}" for (r, a), t in sorted(seen.items())) or "no action")
              + " since " + since_text)
    return 0 if ok else 1


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "consistent":
        return consistent(args[0], args[1], args[2:])
    if cmd == "collateral":
        return collateral(args[0], args[1], args[2], args[3:])
    if cmd == "waited":
        return waited(args[0], args[1], args[2])
    if cmd == "oomkilled":
        return oomkilled(args[0], args[1])
    if cmd == "once":
        return once(args[0], args[1], args[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
