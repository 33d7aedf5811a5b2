#!/usr/bin/env python3
"""CRD and chart checks against the real kube-apiserver of hack/control-plane.sh (ctest label
`integration`, fixture `control_plane`).

    chart_cluster_checks.py CHECK      one of the names in CHECKS below

The kubeconfig is $KUBECONFIG, else $KUBEHEAL_CP_DIR/admin.kubeconfig, else
~/.cache/kubeheal/run/control-plane/admin.kubeconfig. Every check works in namespaces with a random
suffix and deletes what it created (namespaces stay Terminating on this controller-less plane).
"""
import copy
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(REPO, "charts", "kubeheal")
CRDS = [os.path.join(REPO, "crds", f) for f in ("healingpolicies.kubeheal.io.yaml", "faultscenarios.kubeheal.io.yaml")]
CP_DIR = os.environ.get("KUBEHEAL_CP_DIR", os.path.expanduser("~/.cache/kubeheal/run/control-plane"))
KUBECONFIG = os.environ.get("KUBECONFIG") or os.path.join(CP_DIR, "admin.kubeconfig")

failures = []
cleanup_namespaces = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def ok(msg):
    print("ok:", msg)


def run(cmd, stdin=None, check=True, timeout=120):
    p = subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=timeout)
    if check and p.returncode != 0:
        raise SystemExit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p


def kubectl(*args, stdin=None, check=True, kubeconfig=None):
    return run(["kubectl", "--kubeconfig", kubeconfig or KUBECONFIG, *args], stdin=stdin, check=check)


def helm_path():
    p = run([os.path.join(REPO, "hack", "install-helm.sh"), "--print"], check=False)
    if p.returncode != 0:
        raise SystemExit("helm is not built yet: run hack/install-helm.sh (ctest fixture charts.install_helm)")
    return p.stdout.strip()


def helm(*args, check=True):
    return run([helm_path(), "--kubeconfig", KUBECONFIG, *args], check=check, timeout=300)


def namespace(prefix):
    name = f"{prefix}-{secrets.token_hex(3)}"
    kubectl("create", "namespace", name)
    cleanup_namespaces.append(name)
    return name


def install_crds():
    for f in CRDS:
        kubectl("apply", "--server-side", "--force-conflicts", "-f", f)
    kubectl("wait", "--for=condition=Established", "--timeout=60s",
            "crd/healingpolicies.kubeheal.io", "crd/faultscenarios.kubeheal.io")


# ---------------------------------------------------------------------------------------------

def check_crds_establish():
    start = time.monotonic()
    install_crds()
    took = time.monotonic() - start
    for crd in ("healingpolicies.kubeheal.io", "faultscenarios.kubeheal.io"):
        conds = json.loads(kubectl("get", "crd", crd, "-o", "json").stdout)["status"]["conditions"]
        state = {c["type"]: c["status"] for c in conds}
        if state.get("Established") != "True" or state.get("NamesAccepted") != "True":
            fail(f"{crd}: conditions {state}")
        if state.get("NonStructuralSchema") == "True":
            fail(f"{crd}: schema is not structural")
    names = kubectl("api-resources", "--api-group=kubeheal.io", "-o", "wide").stdout
    for want in ("hp", "fs", "kubeheal"):
        if want not in names:
            fail(f"api-resources lacks {want}:\n{names}")
    explain = kubectl("explain", "healingpolicy.spec.signals.detector").stdout
    if "isolationForest" not in explain or "burnRate" not in explain:
        fail(f"kubectl explain healingpolicy.spec.signals.detector is not useful:\n{explain}")
    explain = kubectl("explain", "faultscenario.spec.faults.latency").stdout
    if "delayMs" not in explain:
        fail(f"kubectl explain faultscenario.spec.faults.latency:\n{explain}")
    ok(f"CRDs applied and Established in {took:.1f}s; short names hp/fs, category kubeheal, kubectl explain works")


# A minimal valid object of each kind; every invalid case changes one thing.
VALID_HP = {
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy", "metadata": {"name": "base"},
    "spec": {
        "targetRef": {"kind": "Deployment", "name": "payments"},
        "signals": [{"name": "errors", "pattern": "errors",
                     "query": 'sum(rate(http_requests_total{namespace="{{namespace}}",code=~"5.."}[1m]))',
                     "detector": {"type": "threshold", "params": {"above": 0.05}}}],
    },
}
VALID_FS = {
    "apiVersion": "kubeheal.io/v1alpha1", "kind": "FaultScenario", "metadata": {"name": "base"},
    "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "payments"}},
             "faults": [{"latency": {"delayMs": 200}}], "duration": "2m",
             "expect": {"policyRef": {"name": "payments"}, "detectWithin": "1m", "healWithin": "5m"}},
}


def hp(mutate):
    o = copy.deepcopy(VALID_HP)
    mutate(o["spec"])
    return o


def fs(mutate):
    o = copy.deepcopy(VALID_FS)
    mutate(o["spec"])
    return o


def sig(**kw):
    s = {"name": "lat", "query": "up", "detector": {"type": "zscore"}}
    s.update(kw)
    return s


INVALID = [
    ("HealingPolicy without signals", hp(lambda s: s.pop("signals")), "spec.signals: Required value"),
    ("no signal at all", hp(lambda s: s.update(signals=[])), "should have at least 1 items"),
    ("two signals with the same name", hp(lambda s: s["signals"].append(copy.deepcopy(s["signals"][0]))), "Duplicate value"),
    ("minReplicas above maxReplicas", hp(lambda s: s.update(actions={"scale": {"minReplicas": 5, "maxReplicas": 2}})),
     "scale.minReplicas must be less than or equal to scale.maxReplicas"),
    ("interval not a duration", hp(lambda s: s.update(interval="30 seconds")), "spec.interval in body should match"),
    ("interval too short", hp(lambda s: s.update(interval="1s")), "interval must be between 5s and 1h"),
    ("unknown detector", hp(lambda s: s["signals"][0]["detector"].update(type="prophet")), 'Unsupported value: "prophet"'),
    ("threshold detector without bounds", hp(lambda s: s["signals"][0]["detector"].pop("params")),
     "a threshold detector needs params.above and/or params.below"),
    ("alpha on a zscore detector", hp(lambda s: s["signals"].append(sig(detector={"type": "zscore", "params": {"alpha": 0.3}}))),
     "params.alpha is only used by the ewma detector"),
    ("ewma alpha above 1", hp(lambda s: s["signals"].append(sig(detector={"type": "ewma", "params": {"alpha": 1.5}}))),
     "should be less than or equal to 1"),
    ("isolation forest over an unknown signal",
     hp(lambda s: s["signals"].append(sig(name="iso", detector={"type": "isolationForest", "params": {"signals": ["errors", "nope"]}}))),
     "must name signals defined in spec.signals"),
    ("burnRate without an slo", hp(lambda s: s["signals"].append(sig(detector={"type": "burnRate"}))),
     "a signal with detector type burnRate needs spec.slo"),
    ("trend without limit", hp(lambda s: s["signals"].append(sig(detector={"type": "trend", "params": {"horizon": "10m"}}))),
     "a trend detector needs params.limit"),
    ("custom rule without signals", hp(lambda s: s.update(rules=[{"name": "r", "when": {"pattern": "custom"}, "actions": ["alert"]}])),
     "a custom rule needs when.signals"),
    ("rule naming an unknown signal",
     hp(lambda s: s.update(rules=[{"name": "r", "when": {"pattern": "custom", "signals": ["ghost"]}, "actions": ["alert"]}])),
     "rules[].when.signals must name signals defined in spec.signals"),
    ("unknown action in a ladder", hp(lambda s: s.update(rules=[{"name": "r", "when": {"pattern": "errors"}, "actions": ["reboot"]}])),
     'Unsupported value: "reboot"'),
    ("webhook URL not a URL", hp(lambda s: s.update(actions={"alert": {"webhookURL": "alertmanager:9093"}})),
     "alert.webhookURL must be an absolute http or https URL"),
    ("target a CronJob", hp(lambda s: s["targetRef"].update(kind="CronJob")), 'Unsupported value: "CronJob"'),
    ("cooldown shorter than interval", hp(lambda s: s.update(interval="10m", cooldown="1m")),
     "cooldown must be at least one evaluation interval"),
    ("unknown placeholder in a query", hp(lambda s: s["signals"][0].update(query='up{service="{{service}}"}')),
     "query may only use the placeholders"),
    ("zero action budget", hp(lambda s: s.update(maxActionsPerHour=0)), "should be greater than or equal to 1"),
    ("throttle burst below rps", hp(lambda s: s.update(actions={"throttle": {"rps": 100, "burst": 10}})),
     "throttle.burst must be at least throttle.rps"),
    ("SLO objective of 100%", hp(lambda s: s.update(slo={"objective": 100, "goodQuery": "a", "totalQuery": "b"})),
     "should be less than 100"),
    ("burn-rate windows reversed",
     hp(lambda s: s.update(slo={"objective": 99.9, "goodQuery": "a", "totalQuery": "b",
                                "burnRateAlerts": [{"longWindow": "5m", "shortWindow": "1h", "factor": 14.4}]})),
     "shortWindow must be shorter than longWindow"),
    # FaultScenario
    ("FaultScenario without duration", fs(lambda s: s.pop("duration")), "spec.duration: Required value"),
    ("FaultScenario longer than 1h", fs(lambda s: s.update(duration="2h")), "duration must be between 1s and 1h"),
    ("empty selector", fs(lambda s: s.update(selector={})), "an empty selector would select every pod"),
    ("two fault types in one entry", fs(lambda s: s.update(faults=[{"latency": {"delayMs": 1}, "abort": {}}])),
     "each fault must set exactly one of latency, httpError"),
    ("fault entry with no type", fs(lambda s: s.update(faults=[{}])), "each fault must set exactly one of"),
    ("no faults", fs(lambda s: s.update(faults=[])), "should have at least 1 items"),
    ("percent above 100", fs(lambda s: s.update(faults=[{"httpError": {"status": 500, "percent": 140}}])),
     "should be less than or equal to 100"),
    ("injected status 200", fs(lambda s: s.update(faults=[{"httpError": {"status": 200}}])), "should be greater than or equal to 400"),
    ("mode fixed without a count", fs(lambda s: s.update(mode="fixed")), "mode fixed needs value"),
    ("percent mode above 100", fs(lambda s: s.update(mode="percent", value=150)), "mode percent needs value"),
    ("value with mode all", fs(lambda s: s.update(mode="all", value=2)), "value is only used with mode fixed or percent"),
    ("jitter above delay", fs(lambda s: s.update(faults=[{"latency": {"delayMs": 10, "jitterMs": 50}}])),
     "latency.jitterMs must not exceed latency.delayMs"),
    ("match on a crash fault", fs(lambda s: s.update(faults=[{"crash": {}, "match": {"method": "GET"}}])),
     "match only applies to latency, httpError, abort and hang faults"),
    ("memory leak without a cap", fs(lambda s: s.update(faults=[{"memoryLeak": {"mbPerSecond": 1}}])), "capMb: Required value"),
    ("detectWithin longer than healWithin", fs(lambda s: s["expect"].update(detectWithin="10m", healWithin="5m")),
     "expect.detectWithin must not be longer than expect.healWithin"),
    ("In without values", fs(lambda s: s.update(selector={"matchExpressions": [{"key": "app", "operator": "In"}]})),
     "operators In and NotIn need values"),
    ("unknown mode", fs(lambda s: s.update(mode="half")), 'Unsupported value: "half"'),
]


def check_invalid_objects_rejected():
    install_crds()
    ns = namespace("kh-invalid")
    for base in (VALID_HP, VALID_FS):
        p = kubectl("create", "-n", ns, "--dry-run=server", "-f", "-", stdin=json.dumps(base), check=False)
        if p.returncode != 0:
            fail(f"the valid base {base['kind']} is rejected, the invalid cases prove nothing: {p.stderr}")
    rejected = 0
    for title, obj, want in INVALID:
        p = kubectl("create", "-n", ns, "--dry-run=server", "-f", "-", stdin=json.dumps(obj), check=False)
        msg = (p.stderr or p.stdout).strip()
        if p.returncode == 0:
            fail(f"{title}: accepted")
        elif want not in msg:
            fail(f"{title}: rejected, but the message lacks {want!r}: {msg}")
        else:
            rejected += 1
            line = next(l for l in msg.splitlines() if want in l)
            print(f"  rejected: {title}\n    {line.strip()[:400]}")
    # Immutability (transition rules) needs a stored object.
    kubectl("create", "-n", ns, "-f", "-", stdin=json.dumps(VALID_FS))
    changed = copy.deepcopy(VALID_FS)
    changed["spec"]["duration"] = "3m"
    p = kubectl("apply", "-n", ns, "-f", "-", stdin=json.dumps(changed), check=False)
    if p.returncode == 0 or "spec is immutable" not in p.stderr:
        fail(f"changing a FaultScenario's spec: rc={p.returncode} {p.stderr}")
    else:
        rejected += 1
        print("  rejected: FaultScenario spec change\n    " + next(l for l in p.stderr.splitlines() if "spec is immutable" in l).strip())
    kubectl("create", "-n", ns, "-f", "-", stdin=json.dumps(VALID_HP))
    moved = copy.deepcopy(VALID_HP)
    moved["spec"]["targetRef"]["name"] = "orders"
    p = kubectl("apply", "-n", ns, "-f", "-", stdin=json.dumps(moved), check=False)
    if p.returncode == 0 or "targetRef is immutable" not in p.stderr:
        fail(f"changing a HealingPolicy's target: rc={p.returncode} {p.stderr}")
    else:
        rejected += 1
        print("  rejected: HealingPolicy target change\n    " + next(l for l in p.stderr.splitlines() if "targetRef is immutable" in l).strip())
    if rejected < 20:
        fail(f"only {rejected} invalid objects rejected as expected (want at least 20)")
    ok(f"{rejected} of {len(INVALID) + 2} invalid objects rejected by the API server with the expected message")


def check_examples_accepted():
    install_crds()
    ns = namespace("kh-examples")
    ex = os.path.join(REPO, "crds", "examples")
    files = sorted(os.listdir(ex))
    for f in files:
        p = kubectl("apply", "-n", ns, "-f", os.path.join(ex, f), check=False)
        if p.returncode != 0:
            fail(f"example {f} rejected: {p.stderr}")
    hps = json.loads(kubectl("get", "hp", "-n", ns, "-o", "json").stdout)["items"]
    fss = json.loads(kubectl("get", "fs", "-n", ns, "-o", "json").stdout)["items"]
    print(f"  stored {len(hps)} HealingPolicies and {len(fss)} FaultScenarios")
    # Defaults are filled in by the API server.
    p = kubectl("apply", "-n", ns, "-f", "-", stdin=json.dumps(VALID_HP))
    stored = json.loads(kubectl("get", "hp", "base", "-n", ns, "-o", "json").stdout)["spec"]
    expect = {"interval": "30s", "cooldown": "5m", "maxActionsPerHour": 6, "dryRun": False, "suspend": False}
    for k, v in expect.items():
        if stored.get(k) != v:
            fail(f"default spec.{k}: {stored.get(k)!r}, expected {v!r}")
    if stored["targetRef"].get("apiVersion") != "apps/v1" or stored["signals"][0].get("for") != "1m":
        fail(f"defaults of targetRef/signals not applied: {stored['targetRef']} {stored['signals'][0]}")
    acts = stored.get("actions", {})
    if acts.get("throttle", {}).get("rps") != 50 or acts.get("scale", {}).get("maxReplicas") != 10 or acts.get("restart", {}).get("mode") != "rolling":
        fail(f"action defaults not applied: {acts}")
    if [r["name"] for r in stored.get("rules", [])] != ["crash", "not-ready", "errors", "latency", "traffic", "memory"]:
        fail(f"default playbook rules not applied: {stored.get('rules')}")
    # Printer columns.
    out = kubectl("get", "hp", "-n", ns).stdout.splitlines()[0].split()
    if out[:5] != ["NAME", "PHASE", "TARGET", "LAST-ACTION", "AGE"]:
        fail(f"kubectl get hp columns: {out}")
    out = kubectl("get", "fs", "-n", ns).stdout.splitlines()[0].split()
    if out[:6] != ["NAME", "PHASE", "VERDICT", "MTTD", "MTTR", "AGE"]:
        fail(f"kubectl get fs columns: {out}")
    # The status subresource accepts what the operator writes.
    status = {"status": {"phase": "Remediating", "observedGeneration": 1,
                         "conditions": [{"type": "Ready", "status": "True", "reason": "Evaluated", "message": "ok",
                                         "lastTransitionTime": "2026-11-22T08:00:00Z"}],
                         "signals": [{"name": "errors", "value": 0.4, "expected": {"low": 0, "high": 0.05}, "score": 8.1,
                                      "severity": "critical", "confidence": 0.9, "anomalous": True,
                                      "explanation": "error ratio 0.40 above 0.05"}],
                         "lastAction": {"action": "circuitBreak", "rule": "errors", "result": "Pending", "time": "2026-11-22T08:00:00Z"},
                         "history": [{"time": "2026-11-22T08:00:00Z", "action": "circuitBreak", "result": "Pending",
                                      "evidence": [{"signal": "errors", "query": "q", "value": 0.4, "low": 0, "high": 0.05, "score": 8.1, "severity": "critical"}]}]}}
    kubectl("patch", "hp", "base", "-n", ns, "--subresource=status", "--type=merge", "-p", json.dumps(status))
    row = kubectl("get", "hp", "base", "-n", ns, "--no-headers").stdout.split()
    if row[1:4] != ["Remediating", "payments", "circuitBreak"]:
        fail(f"printer columns after a status write: {row}")
    cats = kubectl("get", "kubeheal", "-n", ns, "-o", "name").stdout.split()
    if len(cats) != len(hps) + 1 + len(fss):
        fail(f"kubectl get kubeheal lists {len(cats)} objects")
    ok(f"{len(files)} example files accepted; defaults, printer columns, status subresource and category work")


def render(values_args, path):
    out = run([helm_path(), "template", "kh", CHART, "--namespace", values_args[0], *values_args[1:]]).stdout
    with open(path, "w") as f:
        f.write(out)
    return [d for d in yaml.safe_load_all(out) if d]


def check_server_dry_run():
    install_crds()
    ns = namespace("kh-dryrun")
    with tempfile.TemporaryDirectory() as tmp:
        for label, args in (("defaults", []),
                            ("every optional block (monitoring.coreos.com off: not served here)",
                             ["-f", os.path.join(REPO, "tests", "charts", "values-all-on.yaml"),
                              "--set", "monitoring.prometheusOperator=false"])):
            path = os.path.join(tmp, "r.yaml")
            docs = render([ns, *args], path)
            p = kubectl("apply", "--dry-run=server", "-n", ns, "-f", path, check=False)
            if p.returncode != 0:
                fail(f"{label}: kubectl apply --dry-run=server failed:\n{p.stderr}")
            else:
                ok(f"{label}: {len(docs)} rendered objects pass kubectl apply --dry-run=server")


def check_helm_lifecycle():
    install_crds()
    ns = f"kh-helm-{secrets.token_hex(3)}"
    cleanup_namespaces.append(ns)
    rel = f"kh{secrets.token_hex(2)}"
    # A tenant namespace that gets a token of its own from the chart (agentToken.namespaces).
    tenant = f"kh-tenant-{secrets.token_hex(3)}"
    cleanup_namespaces.append(tenant)
    kubectl("create", "namespace", tenant)
    t0 = time.monotonic()
    p = helm("install", rel, CHART, "-n", ns, "--create-namespace", "--set", "samples.enabled=true",
             "--set", "prometheus.enabled=true", "--set", f"agentToken.namespaces={{{tenant}}}",
             check=False)
    if p.returncode != 0:
        fail(f"helm install failed: {p.stderr}")
        return
    t_install = time.monotonic() - t0
    if "kubectl explain healingpolicy.spec" not in p.stdout:
        fail(f"NOTES not shown after install:\n{p.stdout}")
    token1 = kubectl("get", "secret", "kubeheal-agent-token", "-n", ns, "-o", "jsonpath={.data.token}").stdout
    tenant1 = kubectl("get", "secret", "kubeheal-agent-token", "-n", tenant, "-o", "jsonpath={.data.token}").stdout
    if not tenant1 or tenant1 == token1:
        fail(f"agentToken.namespaces: the Secret in {tenant} is missing or holds the release namespace's token")
    dep = json.loads(kubectl("get", "deploy", f"{rel}-kubeheal-operator", "-n", ns, "-o", "json").stdout)
    hps = kubectl("get", "hp", "-n", ns, "-o", "name").stdout.split()
    if len(hps) != 3:
        fail(f"samples.enabled: {len(hps)} HealingPolicies")
    t0 = time.monotonic()
    p = helm("upgrade", rel, CHART, "-n", ns, "--reuse-values", "--set", "operator.logLevel=debug", check=False)
    t_upgrade = time.monotonic() - t0
    if p.returncode != 0:
        fail(f"helm upgrade failed: {p.stderr}")
    token2 = kubectl("get", "secret", "kubeheal-agent-token", "-n", ns, "-o", "jsonpath={.data.token}").stdout
    if not token1 or token1 != token2:
        fail("the generated agent token changed on upgrade (lookup did not keep it)")
    tenant2 = kubectl("get", "secret", "kubeheal-agent-token", "-n", tenant, "-o", "jsonpath={.data.token}").stdout
    if tenant1 != tenant2:
        fail(f"the agent token of {tenant} changed on upgrade (lookup did not keep it)")
    # Rotation as the README says: delete the Secret, helm upgrade; the other token stays.
    kubectl("delete", "secret", "kubeheal-agent-token", "-n", tenant)
    p = helm("upgrade", rel, CHART, "-n", ns, "--reuse-values", check=False)
    if p.returncode != 0:
        fail(f"helm upgrade (rotation) failed: {p.stderr}")
    tenant3 = kubectl("get", "secret", "kubeheal-agent-token", "-n", tenant, "-o", "jsonpath={.data.token}").stdout
    token3 = kubectl("get", "secret", "kubeheal-agent-token", "-n", ns, "-o", "jsonpath={.data.token}").stdout
    if not tenant3 or tenant3 == tenant1 or token3 != token1:
        fail(f"rotation in {tenant}: new token {'differs' if tenant3 != tenant1 else 'is the old one'}, "
             f"release namespace's {'kept' if token3 == token1 else 'changed'}")
    dep2 = json.loads(kubectl("get", "deploy", f"{rel}-kubeheal-operator", "-n", ns, "-o", "json").stdout)
    if "--log-level=debug" not in dep2["spec"]["template"]["spec"]["containers"][0]["args"]:
        fail("upgrade did not change the operator args")
    if dep["spec"]["template"]["metadata"]["annotations"]["checksum/agent-token"] != dep2["spec"]["template"]["metadata"]["annotations"]["checksum/agent-token"]:
        fail("token checksum annotation changed on upgrade (operator restarted for nothing)")
    hist = helm("history", rel, "-n", ns, "-o", "json")
    revs = [h["status"] for h in json.loads(hist.stdout)]
    if revs[-1] != "deployed" or len(revs) != 3:
        fail(f"helm history: {revs}")
    t0 = time.monotonic()
    p = helm("uninstall", rel, "-n", ns, check=False)
    t_uninstall = time.monotonic() - t0
    if p.returncode != 0:
        fail(f"helm uninstall failed: {p.stderr}")
    left = kubectl("get", "deploy,svc,secret,sa,role,rolebinding,configmap,hp", "-n", ns, "-o", "name",
                   "-l", f"app.kubernetes.io/instance={rel}").stdout.split()
    left += kubectl("get", "secret", "-n", tenant, "-o", "name",
                    "-l", f"app.kubernetes.io/instance={rel}").stdout.split()
    crs = kubectl("get", "clusterrole,clusterrolebinding", "-o", "name", "-l", f"app.kubernetes.io/instance={rel}").stdout.split()
    if left or crs:
        fail(f"left after uninstall: {left + crs}")
    if kubectl("get", "crd", "healingpolicies.kubeheal.io", check=False).returncode != 0:
        fail("uninstall removed the CRD (it must keep users' policies)")
    ok(f"helm install {t_install:.1f}s, upgrade {t_upgrade:.1f}s (tokens kept; a tenant namespace's own token, rotated by delete + upgrade), uninstall {t_uninstall:.1f}s (nothing left, CRDs kept)")


def check_operator_rbac():
    """The operator's ServiceAccount may do every call the operator makes and nothing else that
    matters (SelfSubjectAccessReview through kubectl auth can-i, as that ServiceAccount); the
    table is tests/charts/operator_access.py. Both modes: ClusterRole, and Roles per watched
    namespace."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import operator_access as access
    install_crds()
    checked = 0
    for mode in ("cluster", "namespaced", "acting"):
        ns = f"kh-rbac-{secrets.token_hex(3)}"
        cleanup_namespaces.append(ns)
        app = namespace("kh-rbac-app")
        elsewhere = namespace("kh-rbac-other")
        rel = f"kr{secrets.token_hex(2)}"
        extra = {"namespaced": ["--set", f"operator.watchNamespaces={{{app}}}"],
                 "acting": ["--set", f"operator.actionNamespaces={{{app}}}"]}.get(mode, [])
        helm("install", rel, CHART, "-n", ns, "--create-namespace", *extra)
        try:
            sa = f"{rel}-kubeheal-operator"
            kc = run([os.path.join(REPO, "hack", "control-plane.sh"), "kubeconfig-for-sa", ns, sa]).stdout.strip().splitlines()[-1]
            cases = []
            for g, res, verb in access.NEEDED:
                name = "kubeheal-agent-token" if res == "secrets" else None
                cases.append((True, access.can_i_args(g, res, verb, name) + ["-n", app]))
                # Namespaced mode: nothing outside the watched namespaces; acting mode: observing
                # everywhere, acting only in the action namespace.
                elsewhere_ok = mode == "cluster" or (mode == "acting" and (g, res, verb) in access.OBSERVING)
                cases.append((elsewhere_ok, access.can_i_args(g, res, verb, name) + ["-n", elsewhere]))
            for g, res, verb in access.LEASE_NEEDED:
                name = None if verb == "create" else "kubeheal-operator"
                cases.append((True, access.can_i_args(g, res, verb, name) + ["-n", ns]))
                if name:
                    cases.append((False, access.can_i_args(g, res, verb, name) + ["-n", app]))
                    cases.append((False, access.can_i_args(g, res, verb, "kube-controller-manager") + ["-n", ns]))
            for g, res, verb in access.DENIED:
                cases.append((False, access.can_i_args(g, res, verb) + ["-n", app]))
            cases.append((False, ["get", "secrets/db-password", "-n", app]))
            cases.append((False, ["*", "*", "-n", app]))
            for g, res, verb in access.DENIED_CLUSTER:
                cases.append((False, access.can_i_args(g, res, verb)))
            for want, args in cases:
                p = kubectl("auth", "can-i", *args, kubeconfig=kc, check=False)
                got = p.stdout.strip() == "yes"
                if got != want:
                    fail(f"{mode}: operator SA can-i {' '.join(args)}: {p.stdout.strip() or p.stderr.strip()}, "
                         f"expected {'yes' if want else 'no'}")
            allowed = sum(1 for want, _ in cases if want)
            print(f"{mode}: {allowed} needed accesses allowed, {len(cases) - allowed} others denied")
            checked += len(cases)
        finally:
            helm("uninstall", rel, "-n", ns, check=False)
    ok(f"operator ServiceAccount: {checked} access checks as expected (every call the operator makes allowed, "
       "nothing else; namespaced mode confined to the watched namespace; with actionNamespaces the acting verbs "
       "only there)")


def check_engine_state():
    """The engine state (status.engineState) can only be written through the status
    subresource. A tenant whose Role lets them edit HealingPolicies (every verb on
    healingpolicies) writes a status into the object with patch and with a full replace: the
    apiserver keeps the status as it was; through the status subresource they are forbidden.
    The annotation an earlier version kept the state in is theirs to write, which is why the
    operator no longer reads it while the status has a state."""

    install_crds()
    ns = namespace("kh-tenant")
    kubectl("create", "serviceaccount", "tenant", "-n", ns)
    kubectl("create", "role", "hp-editor", "-n", ns, "--resource=healingpolicies.kubeheal.io",
            "--verb=get,list,watch,create,update,patch,delete")
    kubectl("create", "rolebinding", "hp-editor", "-n", ns, "--role=hp-editor", f"--serviceaccount={ns}:tenant")
    kc = run([os.path.join(REPO, "hack", "control-plane.sh"), "kubeconfig-for-sa", ns, "tenant"]).stdout.strip().splitlines()[-1]
    hp = copy.deepcopy(VALID_HP)
    hp["metadata"] = {"name": "orders", "namespace": ns}
    kubectl("create", "-f", "-", kubeconfig=kc, stdin=json.dumps(hp))
    # What the operator writes (as admin here: the operator's own access is checked in operator-rbac).
    kept = {"engine": {"nextSequence": 7, "cooldowns": [{"rule": "latency", "action": "throttle", "at": "2026-12-03T00:00:00Z"}]}}
    kubectl("patch", "healingpolicy", "orders", "-n", ns, "--subresource=status", "--type=merge",
            "-p", json.dumps({"status": {"engineState": kept}}))

    def stored():
        return json.loads(kubectl("get", "healingpolicy", "orders", "-n", ns, "-o", "json").stdout)

    if stored().get("status", {}).get("engineState") != kept:
        fail(f"the status subresource did not keep engineState: {stored().get('status')}")
    forged = {"engine": {"nextSequence": 1}}
    p = kubectl("patch", "healingpolicy", "orders", "-n", ns, "--type=merge",
                "-p", json.dumps({"status": {"engineState": forged}}), kubeconfig=kc, check=False)
    if p.returncode != 0:
        fail(f"the tenant may patch the policy (an editor), yet: {p.stderr.strip()}")
    obj = stored()
    obj["status"] = {"engineState": forged}
    obj["spec"]["interval"] = "20s"
    p = kubectl("replace", "-f", "-", kubeconfig=kc, check=False, stdin=json.dumps(obj))
    if p.returncode != 0:
        fail(f"the tenant may replace the policy, yet: {p.stderr.strip()}")
    after = stored()
    if after["spec"].get("interval") != "20s":
        fail("the tenant's replace did not change the spec: the check proves nothing")
    if after.get("status", {}).get("engineState") != kept:
        fail(f"a write to the policy changed its engineState: {after.get('status')}")
    p = kubectl("patch", "healingpolicy", "orders", "-n", ns, "--subresource=status", "--type=merge",
                "-p", json.dumps({"status": {"engineState": forged}}), kubeconfig=kc, check=False)
    if p.returncode == 0 or "forbidden" not in p.stderr.lower():
        fail(f"the tenant wrote through the status subresource: rc {p.returncode} {p.stderr.strip()}")
    p = kubectl("annotate", "healingpolicy", "orders", "-n", ns,
                "kubeheal.io/engine-state=" + json.dumps({"engine": forged}), kubeconfig=kc, check=False)
    if p.returncode != 0:
        fail(f"expected the tenant to be able to annotate (the old place was theirs): {p.stderr.strip()}")
    if stored().get("status", {}).get("engineState") != kept:
        fail("engineState changed")
    if not failures:
        ok("status.engineState: a tenant editing HealingPolicies (patch, replace) leaves it as the operator wrote it; "
           "the status subresource is forbidden to them; the old annotation is theirs to write (so it is not read)")


CHECKS = {
    "engine-state": check_engine_state,
    "crds-establish": check_crds_establish,
    "invalid-objects-rejected": check_invalid_objects_rejected,
    "examples-accepted": check_examples_accepted,
    "server-dry-run": check_server_dry_run,
    "helm-lifecycle": check_helm_lifecycle,
    "operator-rbac": check_operator_rbac,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CHECKS)}}}")
    if not os.path.exists(KUBECONFIG):
        sys.exit(f"no kubeconfig at {KUBECONFIG}: start the control plane (hack/control-plane.sh up)")
    try:
        CHECKS[sys.argv[1]]()
    finally:
        for ns in cleanup_namespaces:
            kubectl("delete", "namespace", ns, "--wait=false", "--ignore-not-found", check=False)
    if failures:
        print(f"{len(failures)} problem(s)")
        sys.exit(1)
