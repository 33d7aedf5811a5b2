#!/usr/bin/env python3
"""Follows kubeheal end-to-end drills live through kubectl and prints their timeline.

  drill-follow.py NAMESPACE TIMEOUT_SECONDS SCENARIO [SCENARIO...]

Every 2 s it reads the FaultScenarios, the HealingPolicies they expect and the namespace's
kubeheal Events, and prints only what changed, with seconds since the start: fault injected
(targets), anomaly detected (the detector's explanation from the policy status), action taken
(with its evidence), recovered, verdict. It returns when every scenario has a verdict (or the
time is up) and writes one JSON line per scenario to stdout's last lines prefixed "RESULT "
(name, verdict, reason, mttd, mttr, actions, phase). Exit 0 when all passed, 1 otherwise.
Everything else goes to stdout too, so a caller can tee it.
"""
import json
import subprocess
import sys
import time


def kubectl_json(*args):
    out = subprocess.run(["kubectl", *args, "-o", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        return None
    try:
        return json.loads(out.stdout)
    except json.JSONDecodeError:
        return None


class Timeline:
    def __init__(self, ns, scenarios):
        self.ns = ns
        self.scenarios = scenarios
        self.start = time.time()
        self.seen = set()
        self.history_baseline = {}  # policy -> number of history entries before the drill
        # Events from before this drill are not part of its timeline.
        before = kubectl_json("-n", ns, "get", "events") or {}
        for ev in before.get("items", []):
            self.seen.add(self.event_key(ev))

    @staticmethod
    def event_key(ev):
        return "ev:" + ev["metadata"]["uid"] + ":" + str(ev.get("count", 1))

    def say(self, key, text):
        if key in self.seen:
            return
        self.seen.add(key)
        print(f"  +{time.time() - self.start:4.0f}s  {text}", flush=True)

    def look_policy(self, name, first_look):
        hp = kubectl_json("-n", self.ns, "get", "healingpolicy", name) or {}
        st = hp.get("status", {})
        if st.get("phase"):
            self.say(f"hp:{name}:{st['phase']}:{len(st.get('history', []))}",
                     f"policy {name}: phase {st['phase']}")
        for sig in st.get("signals", []):
            sev = sig.get("severity", "normal") or "normal"
            key = f"sig:{name}:{sig.get('name', '')}"
            if sev != "normal" or sig.get("anomalous"):
                self.say(f"{key}:{sev}:{sig.get('anomalous')}",
                         f"detected  {name}/{sig.get('name')}: {sev}"
                         f"{' (anomalous)' if sig.get('anomalous') else ''} - {sig.get('explanation', '')}")
                self.seen.discard(f"{key}:normal")
            elif any(k.startswith(key + ":") and not k.endswith(":normal") for k in self.seen):
                self.say(f"{key}:normal", f"normal    {name}/{sig.get('name')}: back in band "
                                          f"(value {sig.get('value', '-')})")
        for h in st.get("history", []):
            key = "act:" + name + ":" + h.get("time", "") + h.get("action", "") + h.get("result", "")
            if first_look:
                self.seen.add(key)
                continue
            evidence = ", ".join(f"{e.get('signal')}={e.get('value', '-'):.4g}"
                                 if isinstance(e.get("value"), (int, float))
                                 else str(e.get("signal")) for e in h.get("evidence", []))
            self.say(key, f"action    {name}: {h.get('action')} {h.get('result', '')}"
                          f" [rule {h.get('rule', '-')}] {h.get('message', '')}"
                          + (f" (evidence: {evidence})" if evidence else ""))
        return hp

    def run(self, timeout):
        policies = {}
        first = True
        verdicts = {}
        while time.time() - self.start < timeout:
            related = set(self.scenarios)
            for sc in self.scenarios:
                fs = kubectl_json("-n", self.ns, "get", "faultscenario", sc)
                if fs is None:
                    self.say("missing:" + sc, f"FaultScenario {sc} not found (yet)")
                    continue
                st = fs.get("status", {})
                phase = st.get("phase", "")
                if phase:
                    targets = ", ".join(t.get("pod", "?") for t in st.get("targets", []))
                    self.say(f"phase:{sc}:{phase}", f"scenario  {sc}: {phase}"
                             + (f" (targets: {targets})" if targets and phase == "Injecting" else ""))
                if st.get("detectedTime"):
                    self.say(f"det:{sc}", f"detected  {sc}: MTTD {st.get('mttd', '-')}")
                if st.get("recoveredTime"):
                    self.say(f"rec:{sc}", f"recovered {sc}: MTTR {st.get('mttr', '-')}")
                pol = fs.get("spec", {}).get("expect", {}).get("policyRef", {}).get("name")
                if pol:
                    policies[pol] = True
                    related.add(pol)
                if st.get("verdict"):
                    verdicts[sc] = fs
                    self.say(f"verdict:{sc}", f"verdict   {sc}: {st['verdict']} - "
                                              f"{st.get('verdictReason', '')} (MTTD {st.get('mttd', '-')}, "
                                              f"MTTR {st.get('mttr', '-')}, actions "
                                              f"{','.join(st.get('actionsObserved', [])) or '-'})")
            for pol in list(policies):
                hp = self.look_policy(pol, first)
                related.add((hp.get("spec", {}).get("targetRef", {}) or {}).get("name", ""))
            first = False
            events = kubectl_json("-n", self.ns, "get", "events") or {}
            for ev in sorted(events.get("items", []), key=lambda e: e.get("lastTimestamp") or ""):
                src = ev.get("source", {}).get("component", "") or ev.get("reportingComponent", "")
                if "kubeheal" not in src or ev.get("involvedObject", {}).get("name") not in related:
                    continue
                self.say(self.event_key(ev),
                         f"event     {ev.get('involvedObject', {}).get('kind')}/"
                         f"{ev.get('involvedObject', {}).get('name')} {ev.get('reason')}: {ev.get('message')}")
            if len(verdicts) == len(self.scenarios):
                break
            time.sleep(2)
        ok = True
        for sc in self.scenarios:
            fs = verdicts.get(sc) or kubectl_json("-n", self.ns, "get", "faultscenario", sc) or {}
            st = fs.get("status", {})
            verdict = st.get("verdict") or "NoVerdict"
            if verdict != "Passed":
                ok = False
            reason = st.get("verdictReason") or (f"no verdict within {timeout:.0f}s" if sc not in verdicts else "")
            print("RESULT " + json.dumps({
                "name": sc, "verdict": verdict, "reason": reason,
                "mttd": st.get("mttd", "-"), "mttr": st.get("mttr", "-"),
                "mttdSeconds": st.get("mttdSeconds"), "mttrSeconds": st.get("mttrSeconds"),
                "actions": st.get("actionsObserved", []), "phase": st.get("phase", ""),
                "seconds": round(time.time() - self.start)}), flush=True)
        return 0 if ok else 1


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: drill-follow.py NAMESPACE TIMEOUT_SECONDS SCENARIO [SCENARIO...]")
    ns, timeout, scenarios = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    return Timeline(ns, scenarios).run(timeout)


if __name__ == "__main__":
    sys.exit(main())
