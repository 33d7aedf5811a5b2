#!/usr/bin/env python3
"""Runs every PromQL expression of the chart's dashboards and rules against a real Prometheus
(the Debian package) scraping real kubeheal agents and, with --operator, the real
kubeheal-operator driving a drill against the control plane (ctest label `integration`).

    promql_checks.py --agent PATH/kubeheal-agent [--operator PATH/kubeheal-operator] [--seconds N]

Set-up, all on loopback:
- a real upstream HTTP server (Python's http.server);
- "payments" in namespace demo: two agents with faults pushed directly through their admin API
  for the whole run (40% HTTP 500, 600 ms latency, a small memory leak), so that every alert
  condition over agent metrics holds. No Kubernetes object and no policy refers to them;
- with --operator, "orders" in a fresh namespace of the control plane: the chart installed with
  helm (its RBAC, its agent token Secret), a Deployment and two Pods whose status is patched to
  point at two more agents (no kubelet here; kubeheal.io/agent-admin-port gives each pod's admin
  port), a HealingPolicy, and kubeheal-operator running under the chart's ServiceAccount (token
  minted by hack/control-plane.sh kubeconfig-for-sa), with leader election on the chart's Lease,
  reading the agent token from the chart's Secret (no --agent-token-file). Once the policy sees
  Prometheus, a FaultScenario with `expect` injects latency through the operator; the test waits
  for its verdict, so detections, actions, phases, MTTD and MTTR exist;
- Prometheus scraping the agents (and the operator) every second, with the chart's rendered rules.

Checks: every expression parses and runs; every expression returns series, except
 - without --operator: expressions over operator metrics only have to parse (listed);
 - with --operator: the few in NO_DATA_IN_A_HEALTHY_DRILL, each with the reason and a witness
   expression over the same metric that must return series;
 - KubehealMemoryGrowth when the agent's leak did not grow its RSS (said so).
Also: recording rules are recorded, the alerts the faults create are pending, the actions
annotation finds the drill's action (range query, as Grafana runs annotations), the drill's
verdict is Passed, the drill panels show it (one passed verdict, MTTD and MTTR equal to the
scenario's status, the throttle and the detection counted, the policy's phase, both band
bounds), and the operator got no 403 from the API server (the chart's RBAC suffices).
"""
import argparse
import http.server
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CHART = os.path.join(REPO, "charts", "kubeheal")
# Every kubeheal_* metric that is not the agent's belongs to the operator.
OPERATOR_METRIC = re.compile(r"\bkubeheal_(?!agent_|io_)[a-z_]+|kubeheal-operator")
TOKEN = "promql-check-token-0123456789"
DEMO_NS = "demo"

# With the operator scraped, these expressions legitimately return nothing in a short, healthy
# drill. Each names why, and a witness over the same metric that must return series, so a
# renamed metric or label is still caught. Keep this list small.
NO_DATA_IN_A_HEALTHY_DRILL = {
    "rule KubehealOperatorDown": (
        "absent(): returns a series only when no operator is up, and one is",
        'up{app_kubernetes_io_name="kubeheal-operator"} == 1'),
    "rule KubehealActionsFailing": (
        "holds only after an action failed; the drill's actions succeed",
        "kubeheal_actions_total"),
    "rule KubehealReconcileErrors": (
        "holds only with more than 0.1 reconcile errors/s for 10 min; a healthy run has none",
        "kubeheal_reconcile_total"),
    "kubeheal-operator: Watch restarts": (
        "a series appears at the first watch restart: when the API server ends a watch "
        "(after its 5-10 min timeout) or it fails; this test is shorter",
        "kubeheal_kube_requests_total"),
}

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):
        body = b'{"ok":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET

    def log_message(self, *args):
        pass


def wait_http(url, timeout=30, headers=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, OSError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not become ready in {timeout}s")


def wait_for(what, predicate, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    return None


def admin(port, method, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def traffic(ports, stop, rps=None):
    """Requests round-robin through the agents' data ports; as fast as they answer, or at `rps`."""
    i = 0
    next_at = time.monotonic()
    while not stop.is_set():
        if rps:
            next_at += 1.0 / rps
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        port = ports[i % len(ports)]
        i += 1
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/items/{i % 7}", timeout=5) as r:
                r.read()
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError, OSError):
            pass


def helm_binary():
    helm = subprocess.run([os.path.join(REPO, "hack", "install-helm.sh"), "--print"], capture_output=True, text=True)
    if helm.returncode != 0:
        raise SystemExit("helm is not built yet (hack/install-helm.sh)")
    return helm.stdout.strip()


def render_chart():
    out = subprocess.run([helm_binary(), "template", "kh", CHART, "--set", "monitoring.prometheusOperator=true"],
                         capture_output=True, text=True, check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    groups = [d for d in docs if d["kind"] == "PrometheusRule"][0]["spec"]["groups"]
    dashboards, annotations = [], []
    ddir = os.path.join(CHART, "files", "dashboards")
    for f in sorted(os.listdir(ddir)):
        d = json.load(open(os.path.join(ddir, f)))
        for p in d["panels"]:
            for t in p.get("targets", []):
                dashboards.append((f"{d['uid']}: {p['title']}", t["expr"]))
        for v in d["templating"]["list"]:
            if v["type"] == "query":
                q = v["query"]["query"]
                m = re.fullmatch(r"label_values\((.*),\s*(\w+)\)", q)
                dashboards.append((f"{d['uid']}: variable {v['name']}", f"group by ({m.group(2)}) ({m.group(1)})"))
        for a in d["annotations"]["list"]:
            if a.get("expr"):
                annotations.append((f"{d['uid']}: annotation {a['name']}", a["expr"]))
    return groups, dashboards, annotations


def grafana_to_promql(expr, range_seconds):
    for var, value in (("$__rate_interval", "20s"), ("$__range", f"{range_seconds}s"), ("$namespace", DEMO_NS),
                       ("$service", "payments"), ("$objective", "99.5"), ("$policy", ".*"), ("$signal", ".*")):
        expr = expr.replace(var, value)
    return expr


def rss(admin_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("process_resident_memory_bytes "):
                return float(line.split()[1])
    return 0.0


def query(prom, expr, start=None, end=None, step=None):
    if start is None:
        url = f"http://127.0.0.1:{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    else:
        url = f"http://127.0.0.1:{prom}/api/v1/query_range?" + urllib.parse.urlencode(
            {"query": expr, "start": start, "end": end, "step": step})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def start_agent(binary, name, up_port, token_file, tmp, procs):
    data, adm = free_port(), free_port()
    log = open(os.path.join(tmp, f"agent-{name}.log"), "w")
    procs.append(subprocess.Popen([binary, f"--listen=127.0.0.1:{data}", f"--upstream=127.0.0.1:{up_port}",
                                   f"--admin=127.0.0.1:{adm}", f"--token-file={token_file}", "--threads=2"],
                                  stdout=log, stderr=subprocess.STDOUT))
    return {"name": name, "data": data, "admin": adm}


class Drill:
    """The operator's side: the chart installed in a fresh namespace, pods pointing at the drill
    agents, a HealingPolicy, kubeheal-operator under the chart's ServiceAccount, a FaultScenario."""

    def __init__(self, binary, kubeconfig, tmp, procs):
        self.binary, self.admin_kc, self.tmp, self.procs = binary, kubeconfig, tmp, procs
        self.ns = f"kh-promql-{os.getpid()}"
        self.release = f"kp{os.getpid() % 100000}"
        self.metrics_port = free_port()
        self.installed = False

    def kubectl(self, *args, stdin=None, check=True, kubeconfig=None):
        p = subprocess.run(["kubectl", "--kubeconfig", kubeconfig or self.admin_kc, *args], input=stdin,
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise SystemExit(f"kubectl {' '.join(args)}: {p.stderr.strip()}")
        return p

    def apply(self, obj):
        self.kubectl("apply", "-n", self.ns, "-f", "-", stdin=json.dumps(obj))

    def get(self, kind, name):
        p = self.kubectl("get", kind, name, "-n", self.ns, "-o", "json", check=False)
        return json.loads(p.stdout) if p.returncode == 0 else {}

    def set_up(self, agents):
        """CRDs, the chart (helm install, token = the agents' token), the orders Deployment, one
        Pod per agent with its status patched to the agent's address, and the HealingPolicy."""
        self.kubectl("apply", "--server-side", "--force-conflicts", "-f", os.path.join(REPO, "crds"))
        self.kubectl("wait", "--for=condition=Established", "--timeout=60s", "crd/healingpolicies.kubeheal.io",
                     "crd/faultscenarios.kubeheal.io")
        p = subprocess.run([helm_binary(), "install", self.release, CHART, "-n", self.ns, "--create-namespace",
                            "--kubeconfig", self.admin_kc, "--set", f"agentToken.token={TOKEN}"],
                           capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            raise SystemExit(f"helm install: {p.stderr}")
        self.installed = True
        self.apply({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "orders"},
                    "spec": {"replicas": len(agents),
                             "selector": {"matchLabels": {"app.kubernetes.io/name": "orders"}},
                             "template": {"metadata": {"labels": {"app.kubernetes.io/name": "orders"}},
                                          "spec": {"containers": [{"name": "app", "image": "kubeheal/orders:dev"}]}}}})
        for a in agents:
            self.apply({"apiVersion": "v1", "kind": "Pod",
                        "metadata": {"name": a["name"], "labels": {"app.kubernetes.io/name": "orders",
                                                                   "kubeheal.io/agent": "true"},
                                     "annotations": {"kubeheal.io/agent-admin-port": str(a["admin"])}},
                        "spec": {"automountServiceAccountToken": False,
                                 "containers": [{"name": "app", "image": "kubeheal/orders:dev"}]}})
            status = {"status": {"phase": "Running", "podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}],
                                 "conditions": [{"type": "Ready", "status": "True"}]}}
            self.kubectl("patch", "pod", a["name"], "-n", self.ns, "--subresource=status", "--type=merge",
                         "-p", json.dumps(status))
        q = '{namespace="{{namespace}}",pod=~"{{pod}}"'
        self.apply({"apiVersion": "kubeheal.io/v1alpha1", "kind": "HealingPolicy", "metadata": {"name": "orders"},
                    "spec": {
                        "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "orders"},
                        "interval": "5s",
                        "signals": [
                            {"name": "p99-latency", "pattern": "latency",
                             "query": f"histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{q}}}[10s])))",
                             "detector": {"type": "threshold", "params": {"above": 0.15}}, "for": "0s"},
                            {"name": "error-ratio", "pattern": "errors",
                             "query": f'sum(rate(http_requests_total{q},code=~"5.."}}[10s])) / clamp_min(sum(rate(http_requests_total{q}}}[10s])), 1e-9)',
                             "detector": {"type": "threshold", "params": {"above": 0.2}}, "for": "0s"},
                            # A rolling detector, so that the expected band has both bounds.
                            {"name": "request-rate", "pattern": "traffic",
                             "query": f"sum(rate(http_requests_total{q}}}[10s]))",
                             "detector": {"type": "zscore",
                                          "params": {"window": 60, "sensitivity": 8, "direction": "above", "minPoints": 3}},
                             "for": "1m"}],
                        "rules": [{"name": "errors", "when": {"pattern": "errors"}, "actions": ["circuitBreak", "alert"]},
                                  {"name": "latency", "when": {"pattern": "latency", "unless": ["errors"]},
                                   "actions": ["throttle", "alert"]}],
                        "actions": {"throttle": {"rps": 1000, "burst": 1000, "verifyAfter": "5s"},
                                    "circuitBreak": {"duration": "5s", "halfOpenProbes": 1, "verifyAfter": "5s"}},
                        "cooldown": "10s", "maxActionsPerHour": 20}})

    def start_operator(self, prom_url):
        """kubeheal-operator with the chart's ServiceAccount token: what it may do is exactly the
        chart's RBAC. No --agent-token-file: the token must come from the chart's Secret."""
        sa = f"{self.release}-kubeheal-operator"
        p = subprocess.run([os.path.join(REPO, "hack", "control-plane.sh"), "kubeconfig-for-sa", self.ns, sa],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise SystemExit(f"kubeconfig-for-sa: {p.stderr}")
        sa_kc = p.stdout.strip().splitlines()[-1]
        health = free_port()
        log = open(os.path.join(self.tmp, "operator.log"), "w")
        self.procs.append(subprocess.Popen(
            [self.binary, f"--kubeconfig={sa_kc}", f"--prometheus-url={prom_url}",
             f"--metrics-addr=127.0.0.1:{self.metrics_port}", f"--health-addr=127.0.0.1:{health}",
             f"--namespaces={self.ns}", "--leader-elect", f"--leader-election-namespace={self.ns}",
             "--leader-election-id=kubeheal-operator", "--fault-ttl=6s", "--fault-renew=2s",
             "--log-format=json", "--log-level=debug"],
            stdout=log, stderr=subprocess.STDOUT))
        wait_http(f"http://127.0.0.1:{health}/readyz", timeout=60)

    def condition(self, kind, name, ctype):
        obj = self.get(kind, name)
        for c in obj.get("status", {}).get("conditions", []):
            if c.get("type") == ctype:
                return c.get("status")
        return None

    def run_scenario(self):
        """Waits for the policy to see Prometheus, lets it learn a short baseline, then applies a
        latency FaultScenario with `expect` and waits for its verdict. Returns the scenario."""
        if not wait_for("PrometheusAvailable", lambda: self.condition("healingpolicy", "orders", "PrometheusAvailable") == "True", 60):
            fail(f"HealingPolicy orders: PrometheusAvailable not True after 60s: {self.get('healingpolicy', 'orders').get('status')}")
            return {}
        time.sleep(10)
        self.apply({"apiVersion": "kubeheal.io/v1alpha1", "kind": "FaultScenario", "metadata": {"name": "drill"},
                    "spec": {"selector": {"matchLabels": {"app.kubernetes.io/name": "orders"}}, "mode": "all",
                             "faults": [{"latency": {"delayMs": 300, "percent": 100}}], "duration": "20s",
                             "expect": {"policyRef": {"name": "orders"}, "detectWithin": "40s", "healWithin": "90s"}}})
        sc = wait_for("verdict", lambda: (lambda s: s if "verdict" in s.get("status", {}) else None)(
            self.get("faultscenario", "drill")), 150)
        if not sc:
            fail(f"FaultScenario drill: no verdict after 150s: {self.get('faultscenario', 'drill').get('status')}")
            return {}
        st = sc["status"]
        print(f"drill: verdict {st.get('verdict')} ({st.get('verdictReason', '')}), "
              f"MTTD {st.get('mttdSeconds')}s, MTTR {st.get('mttrSeconds')}s", flush=True)
        if st.get("verdict") != "Passed":
            fail(f"FaultScenario drill: verdict {st.get('verdict')}: {st.get('verdictReason')}")
        return sc

    def tear_down(self):
        # The scenario's finalizer is the operator's, which is stopped by now.
        self.kubectl("patch", "faultscenario", "drill", "-n", self.ns, "--type=merge",
                     "-p", '{"metadata":{"finalizers":[]}}', check=False)
        if self.installed:
            subprocess.run([helm_binary(), "uninstall", self.release, "-n", self.ns, "--kubeconfig", self.admin_kc],
                           capture_output=True, text=True, timeout=120)
        self.kubectl("delete", "namespace", self.ns, "--wait=false", "--ignore-not-found", check=False)


def check_expressions(prom, groups, dashboards, annotations, operator_scraped, memory_grows, t0):
    """Runs every expression; returns (number that returned series, lines for the report)."""
    range_seconds = max(60, int(time.time() - t0) + 5)
    report = []
    returned = 0

    def check_no_data(title, expr):
        """True when an empty result of `expr` is acceptable here (and reported)."""
        if not OPERATOR_METRIC.search(expr):
            return False
        if not operator_scraped:
            report.append(f"parse only (no operator scraped): {title}")
            return True
        if title in NO_DATA_IN_A_HEALTHY_DRILL:
            why, witness = NO_DATA_IN_A_HEALTHY_DRILL[title]
            w = query(prom, witness)
            if w.get("status") != "success" or not w["data"]["result"]:
                fail(f"{title}: witness {witness!r} returns no series (metric or label renamed?)")
            report.append(f"no data, allowed: {title}: {why} (witness {witness} has "
                          f"{len(w.get('data', {}).get('result', []))} series)")
            return True
        return False

    for title, expr in dashboards:
        promql = grafana_to_promql(expr, range_seconds)
        r = query(prom, promql)
        if r.get("status") != "success":
            fail(f"dashboard {title}: {r.get('error')}\n  {promql}")
            continue
        n = len(r["data"]["result"])
        if n:
            returned += 1
        elif not check_no_data(title, expr):
            fail(f"dashboard {title}: no series\n  {promql}")
    # Grafana runs annotation queries over the dashboard's time range.
    for title, expr in annotations:
        promql = grafana_to_promql(expr, range_seconds)
        r = query(prom, promql, start=t0, end=time.time(), step=2)
        if r.get("status") != "success":
            fail(f"{title}: {r.get('error')}\n  {promql}")
            continue
        n = len(r["data"]["result"])
        if n:
            returned += 1
            report.append(f"{title}: " + ", ".join(
                f"{s['metric'].get('action')}/{s['metric'].get('result')}" for s in r["data"]["result"]))
        elif not check_no_data(title, expr):
            fail(f"{title}: no series over the run (range query)\n  {promql}")
    for g in groups:
        for rule in g["rules"]:
            name = rule.get("record") or rule.get("alert")
            title = f"rule {name}"
            expr = rule["expr"]
            r = query(prom, expr)
            if r.get("status") != "success":
                fail(f"{title}: {r.get('error')}")
                continue
            n = len(r["data"]["result"])
            if n:
                returned += 1
            elif name == "KubehealMemoryGrowth" and not memory_grows:
                report.append(f"no data, allowed: {title}: the agent's memoryLeak fault did not grow its RSS")
            elif not check_no_data(title, expr):
                fail(f"{title}: no series although the injected faults should make it hold\n  {expr}")
            if "record" in rule:
                r = query(prom, rule["record"])
                if not r["data"]["result"]:
                    fail(f"recording rule {name}: Prometheus has not recorded it")
    return returned, report


def check_drill_values(prom, dashboards, sc, ns, t0):
    """The panels about the drill show it: one passed verdict, its MTTD and MTTR, the throttle
    it took, the detection, the policy's phase, the expected band of its rolling signal."""
    range_seconds = max(60, int(time.time() - t0) + 5)
    policy, scenario = f"{ns}/orders", f"{ns}/drill"

    def series(title, index=0):
        exprs = [e for t, e in dashboards if t == title]
        if len(exprs) <= index:
            fail(f"no panel {title!r} (renamed? update check_drill_values)")
            return []
        r = query(prom, grafana_to_promql(exprs[index], range_seconds))
        return [(s["metric"], float(s["value"][1])) for s in r.get("data", {}).get("result", [])]

    def expect(title, what, ok_value, index=0, **labels):
        got = [v for m, v in series(title, index) if all(m.get(k) == want for k, want in labels.items())]
        shown = f"{title} {labels or ''}".strip()
        if not got or not ok_value(got[0]):
            fail(f"panel {shown}: {got[0] if got else 'no series'}, expected {what}")
        else:
            report.append(f"{shown}: {got[0]:g} ({what})")

    report = []
    st = sc.get("status", {})
    expect("kubeheal-drills: Drills passed (time range)", "at least the drill's one", lambda v: v >= 0.9)
    expect("kubeheal-drills: Drills failed (time range)", "none", lambda v: v < 0.5)
    for kind, field in (("MTTD", "mttdSeconds"), ("MTTR", "mttrSeconds")):
        want = st.get(field)
        expect(f"kubeheal-drills: {kind} by scenario", f"the scenario's status.{field} {want}",
               lambda v, w=want: w is not None and abs(v - float(w)) < 1, scenario=scenario)
    expect("kubeheal-healing: Actions by type and result (time range)", "the drill's throttle",
           lambda v: v >= 0.9, action="throttle", result="succeeded")
    expect("kubeheal-anomalies: Detections in range by policy and signal", "the drill's detection",
           lambda v: v >= 0.9, policy=policy, signal="p99-latency")
    expect("kubeheal-healing: Policy phase", "a phase code 1-7", lambda v: 1 <= v <= 7, policy=policy)
    expect("kubeheal-anomalies: Signal value with expected band", "a low bound", lambda v: True, index=1,
           policy=policy, signal="request-rate")
    expect("kubeheal-anomalies: Signal value with expected band", "a high bound", lambda v: True, index=2,
           policy=policy, signal="request-rate")
    return report


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", default=os.environ.get("KUBEHEAL_AGENT_BIN", ""))
    ap.add_argument("--operator", default=os.environ.get("KUBEHEAL_OPERATOR_BIN", ""),
                    help="also run kubeheal-operator against the control plane, drive a drill and scrape it")
    ap.add_argument("--seconds", type=int, default=75,
                    help="minimum traffic before querying (memory-growth rule needs > 60)")
    args = ap.parse_args()
    kubeconfig = os.environ.get("KUBECONFIG") or os.path.join(
        os.environ.get("KUBEHEAL_CP_DIR", os.path.expanduser("~/.cache/kubeheal/run/control-plane")), "admin.kubeconfig")
    if args.operator and not os.path.exists(kubeconfig):
        raise SystemExit(f"--operator needs a control plane: no kubeconfig at {kubeconfig}")
    if not args.agent or not os.access(args.agent, os.X_OK):
        raise SystemExit(f"no kubeheal-agent binary at {args.agent!r} (--agent or KUBEHEAL_AGENT_BIN)")
    prometheus = shutil.which("prometheus")
    if not prometheus:
        raise SystemExit("prometheus is not installed (Debian package prometheus)")

    groups, dashboards, annotations = render_chart()
    tmp = tempfile.mkdtemp(prefix="kubeheal-promql-")
    procs = []
    stop = threading.Event()
    drill = Drill(args.operator, kubeconfig, tmp, procs) if args.operator else None
    scenario = {}
    try:
        up_port = free_port()
        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", up_port), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()

        token_file = os.path.join(tmp, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        payments = [start_agent(args.agent, f"payments-{i}", up_port, token_file, tmp, procs) for i in range(2)]
        orders = [start_agent(args.agent, f"orders-{i}", up_port, token_file, tmp, procs) for i in range(2)] if drill else []
        for a in payments + orders:
            wait_http(f"http://127.0.0.1:{a['admin']}/readyz")
        for a in payments:
            admin(a["admin"], "POST", "/v1/faults", {"id": "errors", "type": "httpError", "percent": 40, "params": {"status": 500}, "ttlSeconds": 600})
            admin(a["admin"], "POST", "/v1/faults", {"id": "slow", "type": "latency", "percent": 100, "params": {"delayMs": 600}, "ttlSeconds": 600})
            admin(a["admin"], "POST", "/v1/faults", {"id": "leak", "type": "memoryLeak", "params": {"mbPerSecond": 0.5, "capMb": 64}, "ttlSeconds": 600})
        if drill:
            drill.set_up(orders)

        prom_port = free_port()
        rules_file = os.path.join(tmp, "rules.yml")
        with open(rules_file, "w") as f:
            yaml.safe_dump({"groups": [dict(g, interval="1s") for g in groups]}, f)

        def agent_targets(agents, ns, service):
            return [{"targets": [f"127.0.0.1:{a['admin']}"],
                     "labels": {"namespace": ns, "pod": a["name"], "app_kubernetes_io_name": service,
                                "kubeheal_io_agent": "true"}} for a in agents]

        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [rules_file],
            "scrape_configs": [{
                "job_name": "kubeheal-agents",
                "static_configs": agent_targets(payments, DEMO_NS, "payments") +
                                  (agent_targets(orders, drill.ns, "orders") if drill else []),
            }] + ([{
                "job_name": "kubeheal-operator",
                "static_configs": [{"targets": [f"127.0.0.1:{drill.metrics_port}"],
                                    "labels": {"namespace": drill.ns, "pod": "kubeheal-operator-0",
                                               "app_kubernetes_io_name": "kubeheal-operator"}}],
            }] if drill else []),
        }
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            yaml.safe_dump(config, f)
        log = open(os.path.join(tmp, "prometheus.log"), "w")
        t0 = time.time()
        procs.append(subprocess.Popen([prometheus, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                                       f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=log, stderr=subprocess.STDOUT))
        wait_http(f"http://127.0.0.1:{prom_port}/-/ready")

        workers = [threading.Thread(target=traffic, args=([a["data"] for a in payments], stop), daemon=True)
                   for _ in range(8)]
        if drill:
            workers.append(threading.Thread(target=traffic, args=([a["data"] for a in orders], stop, 20), daemon=True))
        for w in workers:
            w.start()
        print(f"traffic through {len(payments) + len(orders)} agents, Prometheus on 127.0.0.1:{prom_port} ...", flush=True)
        rss_before = rss(payments[0]["admin"])
        started = time.monotonic()
        if drill:
            drill.start_operator(f"http://127.0.0.1:{prom_port}")
            scenario = drill.run_scenario()
        time.sleep(max(0, args.seconds - (time.monotonic() - started)))
        time.sleep(3)  # a last scrape and rule evaluation after the verdict
        grown = rss(payments[0]["admin"]) - rss_before
        # The memory-growth alert can only hold if the agent's memoryLeak fault really grows RSS.
        memory_grows = grown > 8 * 1024 * 1024
        print(f"agent RSS grew by {grown / 1048576:.1f} MiB under the memoryLeak fault; "
              f"{time.monotonic() - started:.0f}s of traffic", flush=True)

        returned, report = check_expressions(prom_port, groups, dashboards, annotations, bool(drill), memory_grows, t0)
        print(f"{returned} expressions returned series; {len(report)} notes:")
        for line in report:
            print("   ", line)
        alerts = query(prom_port, "ALERTS")["data"]["result"]
        pending = sorted({a["metric"]["alertname"] for a in alerts})
        print("alerts pending/firing in Prometheus:", ", ".join(pending) or "none")
        expected = ["KubehealHighErrorRate", "KubehealErrorBudgetBurnFast", "KubehealHighLatencyP99"]
        if memory_grows:
            expected.append("KubehealMemoryGrowth")
        for want in expected:
            if want not in pending:
                fail(f"alert {want} is not pending although its condition holds")
        if drill and scenario:
            for line in check_drill_values(prom_port, dashboards, scenario, drill.ns, t0):
                print("   ", line)
        if drill:
            denied = query(prom_port, 'sum by (verb) (kubeheal_kube_requests_total{code="403"})')["data"]["result"]
            if denied:
                fail("the operator under the chart's RBAC got 403 from the API server: " +
                     ", ".join(f"{d['metric'].get('verb')} x{d['value'][1]}" for d in denied))
            calls = query(prom_port, "sum by (verb, code) (kubeheal_kube_requests_total)")["data"]["result"]
            print("operator API calls under the chart's ServiceAccount: " +
                  ", ".join(f"{c['metric'].get('verb')} {c['metric'].get('code')} x{float(c['value'][1]):.0f}" for c in calls))
    finally:
        stop.set()
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if drill:
            drill.tear_down()
        if failures:
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".log"):
                    print(f"--- {name} (tail)")
                    print("".join(open(os.path.join(tmp, name)).readlines()[-15:]))
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} problem(s)")
        sys.exit(1)
    print("ok: every dashboard and rule expression ran against a real Prometheus scraping real agents"
          + (" and the operator driving a drill" if drill else ""))


if __name__ == "__main__":
    main()
