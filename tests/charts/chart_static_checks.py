#!/usr/bin/env python3
"""Static checks of the CRDs and the Helm chart (no cluster needed): ctest label `unit`.

    chart_static_checks.py CHECK      one of the names in CHECKS below

Each check prints what it verified and exits 1 with the reasons when something is wrong.
helm comes from hack/install-helm.sh (the `charts.install_helm` fixture builds it first).
"""
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(REPO, "charts", "kubeheal")
ALL_ON = os.path.join(REPO, "tests", "charts", "values-all-on.yaml")
CRD_FILES = ["healingpolicies.kubeheal.io.yaml", "faultscenarios.kubeheal.io.yaml"]

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def ok(msg):
    print("ok:", msg)


def helm():
    out = subprocess.run([os.path.join(REPO, "hack", "install-helm.sh"), "--print"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit("helm is not built yet: run hack/install-helm.sh (ctest fixture charts.install_helm)")
    return out.stdout.strip()


def run(cmd, check=True):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if check and p.returncode != 0:
        sys.exit(f"command failed ({p.returncode}): {' '.join(cmd)}\n{p.stdout}\n{p.stderr}")
    return p


class StrictLoader(yaml.SafeLoader):
    """Rejects duplicate mapping keys, which the API server's YAML decoder refuses."""


def _no_duplicates(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise SystemExit(f"rendered YAML has a duplicate key {key!r} at {key_node.start_mark}")
        seen.add(key)
    return yaml.SafeLoader.construct_mapping(loader, node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_duplicates)


def render(*args):
    out = run([helm(), "template", "kh", CHART, "--namespace", "kubeheal-system", *args]).stdout
    return [d for d in yaml.load_all(out, Loader=StrictLoader) if d]


def by_kind(docs, kind):
    return [d for d in docs if d.get("kind") == kind]


# ---------------------------------------------------------------------------------------------

def check_lint():
    for extra in ([], ["-f", ALL_ON]):
        p = run([helm(), "lint", "--strict", CHART, *extra], check=False)
        text = p.stdout + p.stderr
        bad = [l for l in text.splitlines() if re.search(r"\[(WARNING|ERROR)\]", l)]
        if p.returncode != 0 or bad:
            fail(f"helm lint --strict {' '.join(extra)}: rc={p.returncode}\n{text}")
        else:
            ok(f"helm lint --strict {' '.join(extra) or '(defaults)'}: no warnings or errors")


def check_security(docs, what):
    for d in by_kind(docs, "Deployment"):
        pod = d["spec"]["template"]["spec"]
        name = d["metadata"]["name"]
        psc = pod.get("securityContext", {})
        if psc.get("runAsNonRoot") is not True:
            fail(f"{what}: Deployment {name}: pod securityContext.runAsNonRoot is not true")
        if psc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            fail(f"{what}: Deployment {name}: pod seccompProfile is not RuntimeDefault")
        for c in pod["containers"]:
            sc = c.get("securityContext", {})
            where = f"{what}: Deployment {name} container {c['name']}"
            if sc.get("allowPrivilegeEscalation") is not False:
                fail(f"{where}: allowPrivilegeEscalation is not false")
            if sc.get("readOnlyRootFilesystem") is not True:
                fail(f"{where}: readOnlyRootFilesystem is not true")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                fail(f"{where}: capabilities.drop is not [ALL]")
            if not c.get("resources", {}).get("limits"):
                fail(f"{where}: no resource limits")
            if not c.get("readinessProbe") and c["name"] != "loadgen":
                fail(f"{where}: no readiness probe")


def check_template_defaults():
    docs = render()
    kinds = sorted({d["kind"] for d in docs})
    expected = {"ClusterRole", "ClusterRoleBinding", "ConfigMap", "Deployment", "NetworkPolicy",
                "PodDisruptionBudget", "Role", "RoleBinding", "Secret", "Service", "ServiceAccount"}
    if set(kinds) != expected:
        fail(f"default render kinds {kinds}, expected {sorted(expected)}")
    mon = [d for d in docs if d["apiVersion"].startswith("monitoring.coreos.com")]
    if mon:
        fail("monitoring.coreos.com objects rendered without the API being available")
    op = [d for d in by_kind(docs, "Deployment") if d["metadata"]["name"].endswith("-operator")]
    if len(op) != 1:
        fail("expected exactly one operator Deployment")
    else:
        pod = op[0]["spec"]["template"]["spec"]
        c = pod["containers"][0]
        args = c["args"]
        for want in ("--leader-elect", "--leader-election-namespace=kubeheal-system", "--metrics-addr=:8080",
                     "--health-addr=:8081", "--agent-token-file=/var/run/kubeheal/agent-token/token",
                     "--release-namespace=kubeheal-system",
                     "--prometheus-url=http://prometheus-operated.monitoring.svc:9090"):
            if want not in args:
                fail(f"operator args lack {want}: {args}")
        if c["livenessProbe"]["httpGet"]["path"] != "/healthz" or c["readinessProbe"]["httpGet"]["path"] != "/readyz":
            fail("operator probes are not /healthz and /readyz")
        if pod["securityContext"].get("runAsUser") != 65532:
            fail("operator does not run as uid 65532")
        if c["image"] != "kubeheal/operator:dev" or c["imagePullPolicy"] != "IfNotPresent":
            fail(f"operator image {c['image']} {c['imagePullPolicy']}")
        ann = op[0]["spec"]["template"]["metadata"]["annotations"]
        if ann.get("prometheus.io/scrape") != "true" or ann.get("prometheus.io/port") != "8080":
            fail(f"operator pod lacks scrape annotations: {ann}")
    secrets = by_kind(docs, "Secret")
    if len(secrets) != 1 or secrets[0]["metadata"]["name"] != "kubeheal-agent-token" or "token" not in secrets[0]["data"]:
        fail("expected the agent token Secret kubeheal-agent-token with key token")
    # agentToken.namespaces: one Secret per namespace, each with a token of its own; the release
    # namespace is not rendered twice.
    docs_ns = render("--set", "agentToken.namespaces={team-a,team-b,kubeheal-system}")
    tokens = {d["metadata"]["namespace"]: d["data"]["token"] for d in by_kind(docs_ns, "Secret")
              if d["metadata"]["name"] == "kubeheal-agent-token"}
    if sorted(tokens) != ["kubeheal-system", "team-a", "team-b"] or len(set(tokens.values())) != 3:
        fail(f"agentToken.namespaces: Secrets in {sorted(tokens)}, {len(set(tokens.values()))} distinct tokens")
    docs_ns = render("--set", "agentToken.existingSecret=mine", "--set", "agentToken.namespaces={team-a}")
    if [d["metadata"]["namespace"] for d in by_kind(docs_ns, "Secret")] != ["team-a"]:
        fail("agentToken.existingSecret with agentToken.namespaces: expected a Secret in team-a only")
    dash = [d for d in by_kind(docs, "ConfigMap") if d["metadata"]["labels"].get("grafana_dashboard") == "1"]
    if len(dash) != 6:
        fail(f"expected 6 dashboard ConfigMaps labelled grafana_dashboard=1, got {len(dash)}")
    if op:
        if op[0]["spec"]["replicas"] != 2 or not op[0]["spec"]["template"]["spec"].get("affinity"):
            fail("operator: expected 2 replicas spread by a soft anti-affinity by default")
        pdb = by_kind(docs, "PodDisruptionBudget")
        if len(pdb) != 1 or pdb[0]["spec"].get("maxUnavailable") != 1:
            fail(f"operator PodDisruptionBudget: {[d['spec'] for d in pdb]}, expected maxUnavailable 1")
    check_security(docs, "defaults")
    check_drill_ready()
    ok(f"default render: {len(docs)} objects ({', '.join(kinds)}); operator args, probes, security, token, dashboards; "
       "samples + bundled Prometheus ready for the drills")


def memory_bytes(quantity):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "k": 10**3, "M": 10**6, "G": 10**9}
    m = re.fullmatch(r"([0-9.]+)([A-Za-z]*)", str(quantity))
    return float(m.group(1)) * units.get(m.group(2), 1)


def check_drill_ready():
    """What the end-to-end drills rely on (README "Drills and the end-to-end values"), rendered
    with samples and the bundled Prometheus, as hack/cluster/values-e2e.yaml does."""
    docs = render("--set", "samples.enabled=true", "--set", "prometheus.enabled=true")
    deps = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    op = deps.get("kh-kubeheal-operator")
    args = op["spec"]["template"]["spec"]["containers"][0]["args"] if op else []
    svc = [d for d in by_kind(docs, "Service") if d["metadata"]["name"] == "kh-kubeheal-prometheus"]
    if not svc:
        fail("prometheus.enabled renders no Service kh-kubeheal-prometheus")
    else:
        url = f"--prometheus-url=http://kh-kubeheal-prometheus.kubeheal-system.svc:{svc[0]['spec']['ports'][0]['port']}"
        if url not in args:
            fail(f"operator does not query the bundled Prometheus ({url}): {args}")
    if "--leader-elect" not in args or op["spec"]["replicas"] < 2:
        fail("operator: not 2 replicas with leader election")
    if op and op["spec"]["template"]["spec"].get("automountServiceAccountToken") is False:
        fail("operator: no ServiceAccount token mounted (in-cluster configuration needs it)")
    # Memory limits: the sample policies' memory signal predicts exhaustion of a limit that must
    # not exceed the agent container's, else the kernel kills the pod before the policy acts.
    policies = {d["metadata"]["name"]: d for d in by_kind(docs, "HealingPolicy")}
    for name in ("orders", "payments", "users"):
        dep = deps.get(name)
        if not dep:
            fail(f"samples: no Deployment {name}")
            continue
        containers = {c["name"]: c for c in dep["spec"]["template"]["spec"]["containers"]}
        for c in containers.values():
            if not c.get("resources", {}).get("limits", {}).get("memory"):
                fail(f"samples: {name}/{c['name']} has no memory limit")
        agent_limit = memory_bytes(containers["kubeheal-agent"]["resources"]["limits"]["memory"])
        for sig in policies.get(name, {}).get("spec", {}).get("signals", []):
            limit = sig.get("detector", {}).get("params", {}).get("limit")
            if sig.get("pattern") == "memory" and limit is not None and float(limit) > agent_limit:
                fail(f"samples: policy {name} predicts exhaustion of {limit} B, above the agent's limit {agent_limit:.0f} B")
    pdbs = {d["metadata"]["name"]: d["spec"] for d in by_kind(docs, "PodDisruptionBudget")}
    for name in ("orders", "payments", "users"):
        if pdbs.get(name, {}).get("maxUnavailable", 0) < 1:
            fail(f"samples: PodDisruptionBudget of {name} would block a one-pod restart: {pdbs.get(name)}")
    # The traffic-flood drill scales the generator its scenario names.
    flood = yaml.safe_load(open(os.path.join(REPO, "crds", "examples", "faultscenario-traffic-flood-orders.yaml")))
    gen = [f["trafficSpike"]["generatorRef"]["name"] for f in flood["spec"]["faults"] if "trafficSpike" in f]
    for g in gen:
        if g not in deps:
            fail(f"samples: no Deployment {g!r} for the traffic-flood drill's generatorRef")


def check_template_all_on():
    docs = render("-f", ALL_ON)
    kinds = {d["kind"] for d in docs}
    for k in ("ServiceMonitor", "PodMonitor", "PrometheusRule", "PodDisruptionBudget", "HealingPolicy"):
        if k not in kinds:
            fail(f"all-on render lacks {k}")
    deps = {d["metadata"]["name"]: d for d in by_kind(docs, "Deployment")}
    for name in ("orders", "payments", "users", "loadgen", "kh-kubeheal-prometheus", "kh-kubeheal-operator"):
        if name not in deps:
            fail(f"all-on render lacks Deployment {name}: {sorted(deps)}")
    for name in ("orders", "payments", "users"):
        if name not in deps:
            continue
        pod = deps[name]["spec"]["template"]
        if pod["metadata"]["labels"].get("kubeheal.io/agent") != "true":
            fail(f"{name}: pod lacks label kubeheal.io/agent=true")
        conts = {c["name"]: c for c in pod["spec"]["containers"]}
        agent = conts.get("kubeheal-agent")
        if not agent:
            fail(f"{name}: no kubeheal-agent sidecar")
            continue
        if agent["image"] != "kubeheal/agent:dev" or conts["app"]["image"] != f"kubeheal/{name}:dev":
            fail(f"{name}: images {agent['image']} {conts['app']['image']}")
        if {p["containerPort"] for p in agent["ports"]} != {8080, 9901}:
            fail(f"{name}: agent ports {agent['ports']}")
        if "--token-file=/var/run/kubeheal/agent-token/token" not in agent["args"]:
            fail(f"{name}: agent lacks --token-file")
        if pod["metadata"]["annotations"].get("prometheus.io/port") != "9901":
            fail(f"{name}: scrape annotation port is not 9901")
    ops = deps.get("kh-kubeheal-operator")
    if ops and ops["spec"]["replicas"] != 2:
        fail("operator.replicas=2 not rendered")
    # Every flag the chart passes is one kubeheal-operator parses (operator/cmd/src/operator_flags.cc).
    flags_cc = open(os.path.join(REPO, "operator", "cmd", "src", "operator_flags.cc")).read()
    known = set(re.findall(r'\{"([a-z-]+)", \{FlagType::', flags_cc))
    for d in (ops, *[x for x in by_kind(render(), "Deployment") if x["metadata"]["name"].endswith("-operator")]):
        for arg in (d["spec"]["template"]["spec"]["containers"][0]["args"] if d else []):
            name = arg[2:].split("=", 1)[0]
            if arg.startswith("--") and name not in known:
                fail(f"operator arg {arg}: kubeheal-operator has no flag --{name} (known: {sorted(known)})")
    if ops and "--prometheus-url=http://prometheus.monitoring.svc:9090" not in ops["spec"]["template"]["spec"]["containers"][0]["args"]:
        fail("operator.prometheusURL not used")
    for hp in by_kind(docs, "HealingPolicy"):
        if hp["spec"]["dryRun"] is not True:
            fail(f"HealingPolicy {hp['metadata']['name']}: samples.healingPolicies.dryRun not applied")
        q = hp["spec"]["signals"][0]["query"]
        if "{{namespace}}" not in q or "{{pod}}" not in q:
            fail(f"HealingPolicy placeholders lost in rendering: {q}")
    for d in docs:
        if d["apiVersion"].startswith("monitoring.coreos.com") and d["metadata"]["labels"].get("release") != "kube-prometheus-stack":
            fail(f"{d['kind']} lacks monitoring.labels")
    check_security(docs, "all-on")
    ok(f"all-on render: {len(docs)} objects, kinds {sorted(kinds)}")


def check_prometheus_operator_auto():
    docs = render("--api-versions", "monitoring.coreos.com/v1")
    kinds = {d["kind"] for d in docs}
    if not {"ServiceMonitor", "PodMonitor", "PrometheusRule"} <= kinds:
        fail(f"with monitoring.coreos.com/v1 available the monitors/rules are not rendered: {sorted(kinds)}")
    docs = render("--api-versions", "monitoring.coreos.com/v1", "--set", "monitoring.prometheusOperator=false")
    if any(d["apiVersion"].startswith("monitoring.coreos.com") for d in docs):
        fail("monitoring.prometheusOperator=false still renders monitoring.coreos.com objects")
    ok("monitoring.coreos.com objects follow .Capabilities (auto) and the override")


def check_values_schema():
    cases = [
        (["--set", "operator.logFormat=xml"], "value must be one of"),
        (["--set", "unknownTopLevel=1"], "additional properties 'unknownTopLevel' not allowed"),
        (["--set", "operator.replicas=2", "--set", "operator.leaderElection.enabled=false"], "needs operator.leaderElection.enabled=true"),
        (["--set", "monitoring.rules.sloObjective=100"], "sloObjective"),
        (["--set", "samples.services={orders,billing}"], "services"),
        (["--set", "operator.prometheusURL=prometheus:9090"], "prometheusURL"),
        (["--set", "agentToken.namespaces={Team_A}"], "/agentToken/namespaces/0"),
    ]
    for args, want in cases:
        p = run([helm(), "template", "kh", CHART, *args], check=False)
        if p.returncode == 0 or want not in p.stderr:
            fail(f"helm template {' '.join(args)}: expected an error containing {want!r}, got rc={p.returncode}: {p.stderr.strip()}")
    ok(f"{len(cases)} invalid value sets rejected with a message naming the value")


def check_crd_drift():
    top = sorted(f for f in os.listdir(os.path.join(REPO, "crds")) if f.endswith(".yaml"))
    chart = sorted(f for f in os.listdir(os.path.join(CHART, "crds")) if f.endswith(".yaml"))
    if top != chart:
        fail(f"CRD file sets differ: crds/ {top} vs charts/kubeheal/crds/ {chart}")
    for f in top:
        a = open(os.path.join(REPO, "crds", f), "rb").read()
        b = open(os.path.join(CHART, "crds", f), "rb").read() if f in chart else b""
        if a != b:
            fail(f"charts/kubeheal/crds/{f} differs from crds/{f}: copy it (cp crds/*.yaml charts/kubeheal/crds/)")
    ok(f"chart CRDs identical to crds/ ({', '.join(top)})")


def walk_schema(node, path, problems):
    if "type" not in node and not node.get("x-kubernetes-int-or-string") and not node.get("x-kubernetes-preserve-unknown-fields"):
        problems.append(f"{path}: no type (not structural)")
    for name, child in node.get("properties", {}).items():
        p = f"{path}.{name}"
        in_status = ".status" in p
        if not in_status and name not in ("apiVersion", "kind", "metadata") and not child.get("description"):
            problems.append(f"{p}: no description (kubectl explain shows nothing)")
        walk_schema(child, p, problems)
    if "items" in node:
        walk_schema(node["items"], path + "[]", problems)
    if isinstance(node.get("additionalProperties"), dict):
        walk_schema(node["additionalProperties"], path + "{}", problems)
    if node.get("type") == "array" and "maxItems" not in node and ".status" not in path:
        problems.append(f"{path}: array without maxItems (CEL cost unbounded)")


def check_crd_structure():
    want_cols = {"healingpolicies.kubeheal.io": {"Phase", "Target", "Last-Action", "Age"},
                 "faultscenarios.kubeheal.io": {"Phase", "Verdict", "MTTD", "MTTR", "Age"}}
    short = {"healingpolicies.kubeheal.io": "hp", "faultscenarios.kubeheal.io": "fs"}
    rules = 0
    for f in CRD_FILES:
        crd = yaml.safe_load(open(os.path.join(REPO, "crds", f)))
        name = crd["metadata"]["name"]
        s = crd["spec"]
        if s["group"] != "kubeheal.io" or s["scope"] != "Namespaced":
            fail(f"{name}: group/scope")
        if short[name] not in s["names"].get("shortNames", []) or "kubeheal" not in s["names"].get("categories", []):
            fail(f"{name}: short name or category missing")
        v = s["versions"][0]
        if v["name"] != "v1alpha1" or v.get("subresources", {}).get("status") != {}:
            fail(f"{name}: version or status subresource")
        cols = {c["name"] for c in v.get("additionalPrinterColumns", [])}
        if not want_cols[name] <= cols:
            fail(f"{name}: printer columns {cols} lack {want_cols[name] - cols}")
        problems = []
        walk_schema(v["schema"]["openAPIV3Schema"], name, problems)
        for p in problems:
            fail(p)
        rules += json.dumps(v["schema"]).count('"rule"')
    ok(f"CRDs: group, scope, short names, categories, status subresource, printer columns, structural with descriptions; {rules} CEL rules")


def check_examples():
    ex_dir = os.path.join(REPO, "crds", "examples")
    files = sorted(os.listdir(ex_dir))
    kinds = {}
    for f in files:
        for d in yaml.safe_load_all(open(os.path.join(ex_dir, f))):
            if d:
                kinds.setdefault(d["kind"], []).append(d["metadata"]["name"])
                if d["apiVersion"] != "kubeheal.io/v1alpha1":
                    fail(f"{f}: apiVersion {d['apiVersion']}")
    scenarios = set(kinds.get("FaultScenario", []))
    for seed in ("latency-payments", "errors-users", "crashloop-orders", "traffic-flood-orders", "memory-leak-users", "cascade-payments"):
        if seed not in scenarios:
            fail(f"no example FaultScenario {seed}")
    for d in [yaml.safe_load(open(os.path.join(ex_dir, f))) for f in files if f.startswith("faultscenario")]:
        ref = d["spec"].get("expect", {}).get("policyRef", {}).get("name")
        if ref and ref not in kinds.get("HealingPolicy", []):
            fail(f"FaultScenario {d['metadata']['name']} expects policy {ref}, which has no example")
    ok(f"examples: {len(files)} files, {dict((k, len(v)) for k, v in kinds.items())}")


def find_key(node, key):
    """Every value stored under `key` anywhere in a JSON tree."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from find_key(v, key)
    elif isinstance(node, list):
        for v in node:
            yield from find_key(v, key)


def check_dashboards():
    p = run([sys.executable, os.path.join(CHART, "hack", "gen-dashboards.py"), "--check"], check=False)
    if p.returncode != 0:
        fail("dashboards differ from what hack/gen-dashboards.py generates:\n" + p.stdout)
    ddir = os.path.join(CHART, "files", "dashboards")
    uids = set()
    exprs = 0
    for f in sorted(os.listdir(ddir)):
        where = f"dashboard {f}"
        try:
            d = json.load(open(os.path.join(ddir, f)))
        except json.JSONDecodeError as e:
            fail(f"{where}: invalid JSON: {e}")
            continue
        for key in ("uid", "title", "schemaVersion", "panels", "templating"):
            if key not in d:
                fail(f"{where}: no {key}")
        if not isinstance(d.get("schemaVersion"), int) or d["schemaVersion"] < 36:
            fail(f"{where}: schemaVersion {d.get('schemaVersion')} (want an integer >= 36)")
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", d.get("uid", "")):
            fail(f"{where}: uid {d.get('uid')!r} is not a valid Grafana uid")
        if d.get("uid") in uids:
            fail(f"{where}: duplicate uid")
        uids.add(d.get("uid"))
        if d.get("id") not in (None,):
            fail(f"{where}: has a numeric id (Grafana assigns it)")
        variables = d["templating"]["list"]
        if not any(v["type"] == "datasource" and v["query"] == "prometheus" and v["name"] == "datasource" for v in variables):
            fail(f"{where}: no datasource variable of type prometheus")
        for ds in find_key(d, "datasource"):
            uid = ds.get("uid") if isinstance(ds, dict) else ds
            if uid not in ("${datasource}", "-- Grafana --"):
                fail(f"{where}: hard-coded datasource {ds!r}")
        ids = [p["id"] for p in d["panels"]]
        if len(ids) != len(set(ids)):
            fail(f"{where}: duplicate panel ids")
        for p in d["panels"]:
            gp = p.get("gridPos", {})
            if set(gp) != {"x", "y", "w", "h"} or gp["x"] + gp["w"] > 24:
                fail(f"{where}: panel {p.get('title')}: bad gridPos {gp}")
            if p["type"] == "row":
                continue
            if not p.get("targets"):
                fail(f"{where}: panel {p.get('title')} has no queries")
            for t in p.get("targets", []):
                if not t.get("expr"):
                    fail(f"{where}: panel {p.get('title')} has an empty query")
                exprs += 1
    if len(uids) != 6:
        fail(f"expected 6 dashboards, found {len(uids)}")
    contents = check_dashboard_contents(ddir)
    ok(f"dashboards: {len(uids)} valid for Grafana (uid, title, schemaVersion, datasource variable, no fixed datasource), "
       f"{exprs} queries; {contents} required views present")


# What each dashboard must show: (what, panel type or "annotation", regex over its query).
DASHBOARD_CONTENTS = {
    "kubeheal-service-red": [
        ("latency heatmap", "heatmap", r"http_request_duration_seconds_bucket"),
        ("p50", "timeseries", r"histogram_quantile\(0\.5,"),
        ("p95", "timeseries", r"histogram_quantile\(0\.95,"),
        ("p99", "timeseries", r"histogram_quantile\(0\.99,"),
        ("error rate", "timeseries", r'code=~"5\.\."'),
        ("request rate", "timeseries", r"sum by \(code\) \(rate\(http_requests_total"),
        ("traffic vs CPU", "timeseries", r"process_cpu_seconds_total"),
    ],
    "kubeheal-slo": [
        ("availability", "stat", r'code!~"5\.\."'),
        ("error budget remaining", "stat", r"1 - \(1 - .*\) / \(1 - \$objective / 100\)"),
        ("burn rate", "gauge", r"/ \(1 - \$objective / 100\)"),
        ("burn rate by window", "timeseries", r"\[6h\].*/ \(1 - \$objective / 100\)"),
    ],
    "kubeheal-anomalies": [
        ("anomaly score", "timeseries", r"kubeheal_anomaly_score"),
        ("signal value", "timeseries", r"kubeheal_signal_value"),
        ("band low", "timeseries", r"kubeheal_signal_band_low"),
        ("band high", "timeseries", r"kubeheal_signal_band_high"),
    ],
    "kubeheal-healing": [
        ("actions timeline as annotations", "annotation", r"kubeheal_actions_total"),
        ("action counts by type and result", "barchart", r"sum by \(action, result\) .*increase\(kubeheal_actions_total\[\$__range\]"),
        ("policy phases", "state-timeline", r"kubeheal_policy_phase"),
    ],
    "kubeheal-drills": [
        ("verdicts passed", "stat", r'kubeheal_scenario_verdicts_total\{verdict="Passed"\}'),
        ("verdicts failed", "stat", r'kubeheal_scenario_verdicts_total\{verdict="Failed"\}'),
        ("MTTD", "bargauge", r"kubeheal_scenario_mttd_seconds"),
        ("MTTR", "bargauge", r"kubeheal_scenario_mttr_seconds"),
    ],
    "kubeheal-operator": [
        ("operators up", "stat", r'up\{app_kubernetes_io_name="kubeheal-operator"\}'),
        ("reconcile latency", "timeseries", r"kubeheal_reconcile_duration_seconds_bucket"),
        ("reconcile results", "timeseries", r"kubeheal_reconcile_total"),
        ("API requests", "timeseries", r"kubeheal_kube_requests_total"),
    ],
}
# Burn-rate bands: below 1 within budget (green), 1-2 burning (yellow), above 2 (red).
BURN_BANDS = [{"color": "green", "value": None}, {"color": "yellow", "value": 1}, {"color": "red", "value": 2}]


def check_dashboard_contents(ddir):
    found = 0
    for f in sorted(os.listdir(ddir)):
        d = json.load(open(os.path.join(ddir, f)))
        queries = [(p["type"], t["expr"], p) for p in d["panels"] for t in p.get("targets", [])]
        queries += [("annotation", a["expr"], a) for a in d["annotations"]["list"] if a.get("expr")]
        for what, kind, pattern in DASHBOARD_CONTENTS.get(d["uid"], []):
            if any(k == kind and re.search(pattern, e) for k, e, _ in queries):
                found += 1
            else:
                fail(f"dashboard {d['uid']}: no {kind} panel showing {what} (query matching {pattern})")
        if d["uid"] == "kubeheal-slo":
            for p in d["panels"]:
                if p["type"] != "row" and p["title"].startswith("Burn rate"):
                    steps = p["fieldConfig"]["defaults"].get("thresholds", {}).get("steps")
                    if steps != BURN_BANDS:
                        fail(f"dashboard kubeheal-slo: panel {p['title']}: burn-rate bands {steps}, want <1 green, 1-2 yellow, >2 red")
        if d["uid"] == "kubeheal-healing":
            phase = [p for p in d["panels"] if p["type"] == "state-timeline"]
            texts = {o["text"] for p in phase for m in p["fieldConfig"]["defaults"].get("mappings", [])
                     for o in m.get("options", {}).values()}
            crd = yaml.safe_load(open(os.path.join(REPO, "crds", "healingpolicies.kubeheal.io.yaml")))
            enum = set(crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["status"]
                       ["properties"]["phase"]["enum"])
            if texts != enum:
                fail(f"dashboard kubeheal-healing: policy phase mappings {sorted(texts)} differ from the CRD's {sorted(enum)}")
    return found


def rule_groups():
    docs = render("-f", ALL_ON)
    pr = by_kind(docs, "PrometheusRule")
    cm = [d for d in by_kind(docs, "ConfigMap") if "rules.yml" in d.get("data", {})]
    return pr[0]["spec"]["groups"], yaml.safe_load(cm[0]["data"]["rules.yml"])["groups"]


def check_promtool_rules():
    from_operator, from_bundled = rule_groups()
    if from_operator != from_bundled:
        fail("the PrometheusRule and the bundled Prometheus' rules.yml differ")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": from_operator}, f)
    p = run(["promtool", "check", "rules", f.name], check=False)
    os.unlink(f.name)
    print(p.stdout.strip())
    if p.returncode != 0:
        fail("promtool check rules failed:\n" + p.stdout + p.stderr)
    alerts = [r for g in from_operator for r in g["rules"] if "alert" in r]
    names = {a["alert"] for a in alerts}
    for want in ("KubehealErrorBudgetBurnFast", "KubehealErrorBudgetBurnMedium", "KubehealErrorBudgetBurnSlow",
                 "KubehealHighErrorRate", "KubehealHighLatencyP99", "KubehealMemoryGrowth", "KubehealOperatorDown"):
        if want not in names:
            fail(f"rules lack alert {want}")
    for a in alerts:
        if a["alert"] in ("KubehealHighErrorRate", "KubehealHighLatencyP99", "KubehealMemoryGrowth") and a.get("for", "0m") in ("0m", "0s"):
            fail(f"alert {a['alert']} has no for:")
        if a["labels"].get("team") != "sre":
            fail(f"alert {a['alert']} lacks monitoring.rules.additionalAlertLabels")
    ok(f"promtool check rules: {sum(len(g['rules']) for g in from_operator)} rules in {len(from_operator)} groups; {len(alerts)} alerts")


def check_rbac():
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import operator_access as access
    # Every Kubernetes call of the operator is in the access table (so it is granted below).
    ops_h = open(os.path.join(REPO, "operator", "controllers", "include", "kubeheal", "controllers", "kube_operations.h")).read()
    methods = set(re.findall(r"virtual\s+[\w:<>,\s]+?\s(\w+)\(", ops_h))
    for m in sorted(methods - set(access.KUBE_OPERATIONS)):
        fail(f"KubeOperations::{m} is not in tests/charts/operator_access.py: add the verbs it needs there "
             f"and in charts/kubeheal/templates/_helpers.tpl (kubeheal.operatorRules)")
    for m in sorted(set(access.KUBE_OPERATIONS) - methods):
        fail(f"tests/charts/operator_access.py lists KubeOperations::{m}, which no longer exists: drop its verbs")
    app = open(os.path.join(REPO, "operator", "cmd", "src", "operator_app.cc")).read()
    informers = set(re.findall(r"options\.resource\s*=\s*(?:\w+::)*(\w+\([^)]*\))", app))
    if informers != set(access.INFORMER_RESOURCES):
        fail(f"operator_app.cc informs on {sorted(informers)}, tests/charts/operator_access.py knows "
             f"{sorted(access.INFORMER_RESOURCES)}: update the table and the chart's RBAC (list, watch)")

    docs = render()
    for d in docs:
        if d["kind"] in ("ClusterRoleBinding", "RoleBinding") and d["roleRef"]["name"] in ("cluster-admin", "admin", "edit"):
            fail(f"{d['kind']} {d['metadata']['name']} binds {d['roleRef']['name']}")
        if d["kind"] in ("ClusterRole", "Role"):
            for r in d["rules"]:
                if "*" in r.get("verbs", []) + r.get("resources", []) + r.get("apiGroups", []):
                    fail(f"{d['kind']} {d['metadata']['name']}: wildcard in {r}")
                if "secrets" in r.get("resources", []) and (r["verbs"] != ["get"] or r.get("resourceNames") != ["kubeheal-agent-token"]):
                    fail(f"{d['kind']} {d['metadata']['name']}: secrets access beyond get of the agent token: {r}")
    cr = [d for d in by_kind(docs, "ClusterRole") if d["metadata"]["name"].endswith("-operator")][0]
    got = access.flatten(cr["rules"])
    want = set(access.NEEDED)
    if got != want:
        fail(f"operator ClusterRole differs from what the operator calls (tests/charts/operator_access.py):\n"
             f" extra {sorted(got - want)}\n missing {sorted(want - got)}")
    le = [d for d in by_kind(docs, "Role") if d["metadata"]["name"].endswith("-leader-election")][0]
    if le["metadata"]["namespace"] != "kubeheal-system":
        fail("leader-election Role not in the release namespace")
    if access.flatten(le["rules"]) != set(access.LEASE_NEEDED):
        fail(f"leader-election Role: {sorted(access.flatten(le['rules']))}, want {access.LEASE_NEEDED}")
    named = [r for r in le["rules"] if r.get("resourceNames")]
    if not named or any(r["resourceNames"] != ["kubeheal-operator"] or "create" in r["verbs"] for r in named):
        fail(f"leader-election Role: get/update must be limited to the chart's Lease: {le['rules']}")
    # Namespaced mode: Roles in exactly the watched namespaces, no ClusterRole for the operator.
    docs = render("--set", "operator.watchNamespaces={shop,billing}")
    roles = [d for d in by_kind(docs, "Role") if d["metadata"]["name"] == "kh-kubeheal-operator"]
    if sorted(r["metadata"]["namespace"] for r in roles) != ["billing", "shop"]:
        fail(f"watchNamespaces: Roles in {[r['metadata']['namespace'] for r in roles]}")
    if any(access.flatten(r["rules"]) != want for r in roles):
        fail("watchNamespaces: the Roles' rules differ from the ClusterRole's")
    if any(d["metadata"]["name"].endswith("-operator") for d in by_kind(docs, "ClusterRole")):
        fail("watchNamespaces still renders an operator ClusterRole")
    # operator.actionNamespaces: the acting verbs only in a Role of each of those namespaces, the
    # ClusterRole observes; the operator is told (--action-namespaces) not to try elsewhere.
    if not set(access.ACTING) <= want:
        fail(f"operator_access.ACTING has verbs the operator does not need: {sorted(set(access.ACTING) - want)}")
    docs = render("--set", "operator.actionNamespaces={shop,billing}")
    cr = [d for d in by_kind(docs, "ClusterRole") if d["metadata"]["name"].endswith("-operator")][0]
    if access.flatten(cr["rules"]) != set(access.OBSERVING):
        fail(f"actionNamespaces: the ClusterRole is not the observing half:\n"
             f" extra {sorted(access.flatten(cr['rules']) - set(access.OBSERVING))}\n"
             f" missing {sorted(set(access.OBSERVING) - access.flatten(cr['rules']))}")
    act = [d for d in by_kind(docs, "Role") if d["metadata"]["name"] == "kh-kubeheal-operator-act"]
    if sorted(r["metadata"]["namespace"] for r in act) != ["billing", "shop"] or \
            any(access.flatten(r["rules"]) != set(access.ACTING) for r in act):
        fail(f"actionNamespaces: acting Roles {[(r['metadata']['namespace'], sorted(access.flatten(r['rules']))) for r in act]}")
    bound = [b for b in by_kind(docs, "RoleBinding") if b["roleRef"]["name"] == "kh-kubeheal-operator-act"]
    if sorted(b["metadata"]["namespace"] for b in bound) != ["billing", "shop"]:
        fail("actionNamespaces: acting Roles are not bound to the operator in each namespace")
    args = [a for d in by_kind(docs, "Deployment") if d["metadata"]["name"].endswith("-operator")
            for c in d["spec"]["template"]["spec"]["containers"] for a in c.get("args", [])]
    if "--action-namespaces=shop,billing" not in args:
        fail(f"actionNamespaces: operator args lack --action-namespaces: {args}")
    p = run([helm(), "template", "kh", CHART, "--set", "operator.watchNamespaces={shop}",
             "--set", "operator.actionNamespaces={billing}"], check=False)
    if p.returncode == 0 or "billing is not in operator.watchNamespaces" not in p.stderr:
        fail(f"an action namespace outside watchNamespaces rendered: {p.stderr.strip()[:200]}")
    # A renamed agent token Secret: created, readable and read under the same name.
    docs = render("--set", "agentToken.secretName=shop-agent-token")
    names = [d["metadata"]["name"] for d in by_kind(docs, "Secret")]
    granted = [r.get("resourceNames") for d in by_kind(docs, "ClusterRole") for r in d["rules"]
               if "secrets" in r.get("resources", [])]
    docs_act = render("--set", "agentToken.secretName=shop-agent-token", "--set", "operator.actionNamespaces={shop}")
    granted_act = [r.get("resourceNames") for d in by_kind(docs_act, "Role") for r in d["rules"]
                   if "secrets" in r.get("resources", [])]
    if granted_act != [["shop-agent-token"]]:
        fail(f"actionNamespaces: the acting Role reads Secrets {granted_act}, want the renamed token only")
    args = [a for d in by_kind(docs, "Deployment") if d["metadata"]["name"].endswith("-operator")
            for c in d["spec"]["template"]["spec"]["containers"] for a in c.get("args", [])]
    if names != ["shop-agent-token"] or granted != [["shop-agent-token"]] or \
            "--agent-token-secret=shop-agent-token" not in args:
        fail(f"agentToken.secretName=shop-agent-token: Secret {names}, RBAC resourceNames {granted}, "
             f"operator args {[a for a in args if 'token' in a]}")
    print("operator ClusterRole rules (group, resource: verbs):")
    by_res = {}
    for g, res, v in access.NEEDED:
        by_res.setdefault((g, res), []).append(v)
    for (g, res), verbs in sorted(by_res.items()):
        print(f"  {g or 'core':16} {res:28} {','.join(sorted(verbs))}")
    ok(f"RBAC: exactly the {len(want)} verbs the operator calls ({len(methods)} KubeOperations methods, "
       f"{len(informers)} informers), no wildcards, no admin bindings, secrets only by name (agentToken.secretName, passed to the operator); Lease by name; "
       f"Roles per watched namespace; with actionNamespaces the {len(access.ACTING)} acting verbs only in a Role of each")


def check_values_documented():
    values = yaml.safe_load(open(os.path.join(CHART, "values.yaml")))
    readme = open(os.path.join(CHART, "README.md")).read()

    def leaves(node, prefix=""):
        if isinstance(node, dict) and node and not prefix.endswith(("resources", "Labels", "labels", "annotations", "Annotations", "podSecurityContext", "securityContext", "requests", "limits", "nodeSelector", "affinity", "additionalAlertLabels", "Probe")):
            for k, v in node.items():
                yield from leaves(v, f"{prefix}.{k}" if prefix else k)
        else:
            yield prefix

    missing = [k for k in leaves(values) if f"`{k}`" not in readme]
    for k in missing:
        fail(f"value {k} is not documented in charts/kubeheal/README.md")
    if not missing:
        ok(f"every value documented in the chart README ({len(list(leaves(values)))} keys)")


def check_sidecar_example():
    ex = os.path.join(CHART, "examples", "deployment-with-agent.yaml")
    docs = [d for d in yaml.safe_load_all(open(ex)) if d]
    dep = by_kind(docs, "Deployment")[0]
    pod = dep["spec"]["template"]
    conts = {c["name"]: c for c in pod["spec"]["containers"]}
    if "kubeheal-agent" not in conts:
        fail("example Deployment has no kubeheal-agent container")
    if pod["metadata"]["labels"].get("kubeheal.io/agent") != "true":
        fail("example pod lacks the kubeheal.io/agent label")
    if pod["metadata"].get("annotations", {}).get("prometheus.io/port") != "9901":
        fail("example pod lacks prometheus.io/port: 9901")
    svc = by_kind(docs, "Service")[0]
    if svc["spec"]["ports"][0]["targetPort"] not in (8080, "http"):
        fail("example Service does not target the agent's port")
    ok("sidecar example: agent container, label, scrape annotations, Service through the agent")


def check_metadata_strings():
    """Label and annotation values must be strings: the apiserver rejects a number there
    ("cannot unmarshal number into ... annotations of type string"). A checksum annotation,
    `sha256sum | trunc 16` without quote, renders as a YAML number when the 16 hex digits happen
    to be all digits or digits around one "e" (it failed a helm install in the integration stage,
    2026-12-02), so those pipelines must end in quote, and every rendered value must be a string."""
    for path in sorted(pathlib.Path(CHART, "templates").rglob("*")):
        if not path.is_file():
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if "sha256sum" in line and not re.search(r"\|\s*quote\s*-?}}", line):
                fail(f"{path}:{n}: a checksum must be quoted ('| quote'), or some hashes render as numbers")
    def walk(obj, where):
        if isinstance(obj, dict):
            meta = obj.get("metadata")
            if isinstance(meta, dict):
                for field in ("labels", "annotations"):
                    for k, v in (meta.get(field) or {}).items():
                        if not isinstance(v, str):
                            fail(f"{where}: metadata.{field}[{k!r}] = {v!r} is a {type(v).__name__}, not a string")
            for k, v in obj.items():
                walk(v, f"{where}.{k}")
        elif isinstance(obj, list):
            for i, v in enumerate(obj):
                walk(v, f"{where}[{i}]")
    for extra in ([], ["-f", ALL_ON]):
        for d in render(*extra):
            walk(d, f"{d.get('kind')}/{d.get('metadata', {}).get('name')}")


def check_webhook_targets():
    """The operator is told where alert webhooks may not point: the chart's default renders
    --alert-webhook-deny-cidrs, an allow-list renders --alert-webhook-allow, and the local
    cluster's overlay (hack/cluster/values-local.yaml) covers the ranges hack/cluster.sh gives
    its Services and pods, so a tenant's webhook there cannot reach them."""
    import ipaddress

    def operator_args(*extra):
        for d in render(*extra):
            if d.get("kind") == "Deployment" and d["metadata"]["name"].endswith("operator"):
                return d["spec"]["template"]["spec"]["containers"][0]["args"]
        fail("no operator Deployment rendered")
        return []

    args = operator_args()
    if "--alert-webhook-deny-cidrs=10.96.0.0/12,10.244.0.0/16" not in args:
        fail(f"default operator args lack the deny CIDRs: {args}")
    if any(a.startswith("--alert-webhook-allow") for a in args):
        fail("an empty allow-list must not render --alert-webhook-allow")
    args = operator_args("--set", "operator.alertWebhooks.allow={alertmanager.monitoring.svc,192.0.2.0/24}")
    if "--alert-webhook-allow=alertmanager.monitoring.svc,192.0.2.0/24" not in args:
        fail(f"the allow-list did not render: {args}")
    cluster_sh = open(os.path.join(REPO, "hack", "cluster.sh")).read()
    ranges = {}
    for name in ("cluster_cidr", "service_cidr"):
        m = re.search(rf"^{name}=(\S+)$", cluster_sh, re.M)
        if not m:
            fail(f"hack/cluster.sh sets no {name}")
            continue
        ranges[name] = ipaddress.ip_network(m.group(1))
    local = yaml.safe_load(open(os.path.join(REPO, "hack", "cluster", "values-local.yaml")))
    denied = [ipaddress.ip_network(c) for c in local["operator"]["alertWebhooks"]["denyCIDRs"]]
    for name, net in ranges.items():
        if not any(net.subnet_of(d) for d in denied if d.version == net.version):
            fail(f"hack/cluster/values-local.yaml denyCIDRs {denied} do not cover hack/cluster.sh's {name} {net}")
    r = run([helm(), "template", "t", CHART, "--set", "operator.alertWebhooks.denyCIDRs={pods}"], check=False)
    if r.returncode == 0:
        fail("the schema accepted denyCIDRs=pods")
    if not failures:
        ok(f"alert webhook targets: deny CIDRs and allow-list rendered; the local cluster's {', '.join(f'{k} {v}' for k, v in ranges.items())} refused; a bad CIDR refused by the schema")


def check_agent_networkpolicy():
    """The agents' admin port is closed to the pod network: the rendered NetworkPolicy is read
    with NetworkPolicy's rules (a pod selected for Ingress admits what some rule admits) and
    asked who reaches which port of a sample agent pod. Only the rendering is checked here: the
    local cluster's bridge CNI enforces no NetworkPolicy (docs/local-cluster.md)."""
    def matches(selector, labels):
        if selector is None:
            return True
        for k, v in (selector.get("matchLabels") or {}).items():
            if labels.get(k) != v:
                return False
        for e in selector.get("matchExpressions") or []:
            have = e["key"] in labels
            if e["operator"] == "In" and labels.get(e["key"]) not in e["values"]:
                return False
            if e["operator"] == "NotIn" and labels.get(e["key"]) in e["values"]:
                return False
            if e["operator"] == "Exists" and not have:
                return False
            if e["operator"] == "DoesNotExist" and have:
                return False
        return True

    def admits(policies, dst_ns, dst_labels, src_ns, src_labels, port, proto="TCP"):
        selecting = [p for p in policies if p["metadata"]["namespace"] == dst_ns
                     and matches(p["spec"]["podSelector"], dst_labels) and "Ingress" in p["spec"]["policyTypes"]]
        if not selecting:
            return True
        for p in selecting:
            for rule in p["spec"].get("ingress") or []:
                port_ok = not rule.get("ports") or any(
                    pr.get("protocol", "TCP") == proto and pr["port"] <= port <= pr.get("endPort", pr["port"])
                    for pr in rule["ports"])
                peers = rule.get("from")
                src_ok = not peers or any(
                    ("namespaceSelector" in peer or "podSelector" in peer)
                    and (matches(peer["namespaceSelector"], {"kubernetes.io/metadata.name": src_ns})
                         if "namespaceSelector" in peer else src_ns == dst_ns)
                    and matches(peer.get("podSelector"), src_labels)
                    for peer in peers)
                if port_ok and src_ok:
                    return True
        return False

    ns = "kubeheal-system"
    docs = render("--set", "samples.enabled=true", "--set", "prometheus.enabled=true")
    policies = by_kind(docs, "NetworkPolicy")
    if len(policies) != 1:
        fail(f"expected one NetworkPolicy by default, got {len(policies)}")
        return
    pods = {}
    for d in by_kind(docs, "Deployment"):
        pods[d["metadata"]["name"]] = d["spec"]["template"]["metadata"]["labels"]
    agent = next((l for l in pods.values() if l.get("kubeheal.io/agent") == "true"), None)
    operator = next((l for n, l in pods.items() if n.endswith("operator")), None)
    prom = next((l for l in pods.values() if l.get("app.kubernetes.io/name") == "kubeheal-prometheus"), None)
    loadgen = next((l for n, l in pods.items() if "loadgen" in n), None)
    if not (agent and operator and prom and loadgen):
        fail(f"rendered pods lack an agent, operator, Prometheus or loadgen: {sorted(pods)}")
        return
    cases = [
        ("operator -> agent admin 9901", ns, operator, 9901, "TCP", True),
        ("bundled Prometheus -> agent admin 9901 (scrape)", ns, prom, 9901, "TCP", True),
        ("loadgen -> agent admin 9901", ns, loadgen, 9901, "TCP", False),
        ("a pod of another namespace with the operator's labels -> 9901", "team-b", operator, 9901, "TCP", False),
        ("a tenant pod -> 9901", "team-b", {"app": "x"}, 9901, "TCP", False),
        ("loadgen -> agent data port 8080", ns, loadgen, 8080, "TCP", True),
        ("a tenant pod -> agent data port 8080", "team-b", {"app": "x"}, 8080, "TCP", True),
        ("a tenant pod -> 9900 and 9902 (app ports stay open)", "team-b", {"app": "x"}, 9900, "TCP", True),
        ("a tenant pod -> 9902", "team-b", {"app": "x"}, 9902, "TCP", True),
        ("a tenant pod -> 65535", "team-b", {"app": "x"}, 65535, "TCP", True),
        ("a tenant pod -> UDP 9901", "team-b", {"app": "x"}, 9901, "UDP", True),
    ]
    for what, src_ns, src, port, proto, want in cases:
        got = admits(policies, ns, agent, src_ns, src, port, proto)
        if got != want:
            fail(f"NetworkPolicy: {what}: {'admitted' if got else 'refused'}, expected {'admitted' if want else 'refused'}")
    scraper = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}},
               "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}
    docs = render("--set", "networkPolicy.agentNamespaces={team-b}", "--set-json",
                  f"networkPolicy.adminFrom=[{json.dumps(scraper)}]")
    policies = by_kind(docs, "NetworkPolicy")
    if sorted(p["metadata"]["namespace"] for p in policies) != sorted([ns, "team-b"]):
        fail(f"agentNamespaces: policies in {[p['metadata']['namespace'] for p in policies]}")
    if not admits(policies, "team-b", agent, "monitoring", {"app.kubernetes.io/name": "prometheus"}, 9901):
        fail("adminFrom: the monitoring namespace's Prometheus cannot scrape team-b's agents")
    if not admits(policies, "team-b", agent, ns, operator, 9901):
        fail("the operator cannot reach team-b's agents")
    if admits(policies, "team-b", agent, "team-b", {"app": "x"}, 9901):
        fail("a team-b pod reaches team-b's agent admin port")
    if by_kind(render("--set", "networkPolicy.enabled=false"), "NetworkPolicy"):
        fail("networkPolicy.enabled=false still renders a NetworkPolicy")
    if not failures:
        ok(f"agent NetworkPolicy: {len(cases)} reachability cases as expected (admin port from the operator and "
           "Prometheus only; every other port open); agentNamespaces, adminFrom, disabled (rendering only: no enforcing CNI here)")


CHECKS = {
    "agent-networkpolicy": check_agent_networkpolicy,
    "webhook-targets": check_webhook_targets,
    "metadata-strings": check_metadata_strings,
    "lint": check_lint,
    "template-defaults": check_template_defaults,
    "template-all-on": check_template_all_on,
    "prometheus-operator-auto": check_prometheus_operator_auto,
    "values-schema": check_values_schema,
    "crd-drift": check_crd_drift,
    "crd-structure": check_crd_structure,
    "examples": check_examples,
    "dashboards": check_dashboards,
    "promtool-rules": check_promtool_rules,
    "rbac": check_rbac,
    "values-documented": check_values_documented,
    "sidecar-example": check_sidecar_example,
}

if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] not in CHECKS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(CHECKS)}}}")
    CHECKS[sys.argv[1]]()
    if failures:
        print(f"{len(failures)} problem(s)")
        sys.exit(1)
