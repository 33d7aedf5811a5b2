#!/usr/bin/env python3
"""Runs every PromQL expression of the chart's dashboards and rules against a real Prometheus
(the Debian package) scraping real kubeheal agents, on loopback (ctest label `integration`).

    promql_checks.py --agent PATH/kubeheal-agent [--seconds N]

Set-up: a real upstream HTTP server (Python's http.server), two agents in front of it with an
admin token, faults pushed through the agents' admin API (40% HTTP 500, 600 ms latency, a small
memory leak) so that the alert conditions hold, client traffic through the agents, and Prometheus
scraping the agents every second with the chart's rendered rules loaded. The agents' targets carry
the labels Kubernetes discovery would give them (namespace, pod, app_kubernetes_io_name,
kubeheal_io_agent).

Checks: every expression parses and runs; every expression over agent metrics returns series;
the recording rules produce their series; the alerts whose conditions the faults create return
series. Expressions over operator metrics only have to parse (no operator is scraped here); the
script lists them.
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

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


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


def admin(port, method, path, body):
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=json.dumps(body).encode(),
                                 headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as r:
        return json.load(r)


def traffic(ports, stop):
    i = 0
    while not stop.is_set():
        port = ports[i % len(ports)]
        i += 1
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/items/{i % 7}", timeout=5) as r:
                r.read()
        except (urllib.error.HTTPError, urllib.error.URLError, ConnectionError, OSError):
            pass


def render_chart():
    helm = subprocess.run([os.path.join(REPO, "hack", "install-helm.sh"), "--print"], capture_output=True, text=True)
    if helm.returncode != 0:
        raise SystemExit("helm is not built yet (hack/install-helm.sh)")
    out = subprocess.run([helm.stdout.strip(), "template", "kh", CHART, "--set", "monitoring.prometheusOperator=true"],
                         capture_output=True, text=True, check=True).stdout
    docs = [d for d in yaml.safe_load_all(out) if d]
    groups = [d for d in docs if d["kind"] == "PrometheusRule"][0]["spec"]["groups"]
    dashboards = []
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
                dashboards.append((f"{d['uid']}: annotation {a['name']}", a["expr"]))
    return groups, dashboards


def grafana_to_promql(expr):
    for var, value in (("$__rate_interval", "20s"), ("$__range", "2m"), ("$namespace", "demo"),
                       ("$service", "payments"), ("$objective", "99.5"), ("$policy", ".*"), ("$signal", ".*")):
        expr = expr.replace(var, value)
    return expr


def start_operator(binary, kubeconfig, token_file, prom_url, tmp, procs):
    """Runs kubeheal-operator against the control plane, with the CRDs installed and one
    HealingPolicy to reconcile, so that its own metrics exist. Returns its metrics address."""
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "apply", "--server-side", "--force-conflicts",
                    "-f", os.path.join(REPO, "crds")], check=True, capture_output=True)
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "wait", "--for=condition=Established", "--timeout=60s",
                    "crd/healingpolicies.kubeheal.io"], check=True, capture_output=True)
    ns = f"kh-promql-{os.getpid()}"
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "create", "namespace", ns], capture_output=True)
    subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "apply", "-n", ns, "-f",
                    os.path.join(REPO, "crds", "examples", "healingpolicy-payments.yaml")], check=True, capture_output=True)
    metrics, health = free_port(), free_port()
    log = open(os.path.join(tmp, "operator.log"), "w")
    procs.append(subprocess.Popen([binary, f"--kubeconfig={kubeconfig}", f"--prometheus-url={prom_url}",
                                   f"--metrics-addr=127.0.0.1:{metrics}", f"--health-addr=127.0.0.1:{health}",
                                   f"--agent-token-file={token_file}", f"--namespaces={ns}", "--log-format=json"],
                                  stdout=log, stderr=subprocess.STDOUT))
    wait_http(f"http://127.0.0.1:{health}/healthz", timeout=60)
    return f"127.0.0.1:{metrics}"


def rss(admin_port):
    with urllib.request.urlopen(f"http://127.0.0.1:{admin_port}/metrics", timeout=5) as r:
        for line in r.read().decode().splitlines():
            if line.startswith("process_resident_memory_bytes "):
                return float(line.split()[1])
    return 0.0


def query(prom, expr):
    url = f"http://127.0.0.1:{prom}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        return json.load(e)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", default=os.environ.get("KUBEHEAL_AGENT_BIN", ""))
    ap.add_argument("--operator", default=os.environ.get("KUBEHEAL_OPERATOR_BIN", ""),
                    help="also run and scrape kubeheal-operator (needs the control plane's kubeconfig)")
    ap.add_argument("--seconds", type=int, default=75, help="traffic before querying (memory-growth rule needs > 60)")
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

    groups, dashboards = render_chart()
    tmp = tempfile.mkdtemp(prefix="kubeheal-promql-")
    procs = []
    stop = threading.Event()
    try:
        up_port = free_port()
        upstream = http.server.ThreadingHTTPServer(("127.0.0.1", up_port), Upstream)
        threading.Thread(target=upstream.serve_forever, daemon=True).start()

        token_file = os.path.join(tmp, "token")
        with open(token_file, "w") as f:
            f.write(TOKEN + "\n")
        agents = []
        for i in range(2):
            data, adm = free_port(), free_port()
            log = open(os.path.join(tmp, f"agent-{i}.log"), "w")
            procs.append(subprocess.Popen([args.agent, f"--listen=127.0.0.1:{data}", f"--upstream=127.0.0.1:{up_port}",
                                           f"--admin=127.0.0.1:{adm}", f"--token-file={token_file}", "--threads=2"],
                                          stdout=log, stderr=subprocess.STDOUT))
            agents.append((data, adm))
        for data, adm in agents:
            wait_http(f"http://127.0.0.1:{adm}/readyz")
        for _, adm in agents:
            admin(adm, "POST", "/v1/faults", {"id": "errors", "type": "httpError", "percent": 40, "params": {"status": 500}, "ttlSeconds": 600})
            admin(adm, "POST", "/v1/faults", {"id": "slow", "type": "latency", "percent": 100, "params": {"delayMs": 600}, "ttlSeconds": 600})
            admin(adm, "POST", "/v1/faults", {"id": "leak", "type": "memoryLeak", "params": {"mbPerSecond": 0.5, "capMb": 64}, "ttlSeconds": 600})

        prom_port = free_port()
        operator_target = None
        if args.operator:
            operator_target = start_operator(args.operator, kubeconfig, token_file, f"http://127.0.0.1:{prom_port}", tmp, procs)

        rules_file = os.path.join(tmp, "rules.yml")
        with open(rules_file, "w") as f:
            yaml.safe_dump({"groups": [dict(g, interval="1s") for g in groups]}, f)
        config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": [rules_file],
            "scrape_configs": [{
                "job_name": "kubeheal-agents",
                "static_configs": [{"targets": [f"127.0.0.1:{adm}"],
                                    "labels": {"namespace": "demo", "pod": f"payments-{i}",
                                               "app_kubernetes_io_name": "payments", "kubeheal_io_agent": "true"}}
                                   for i, (_, adm) in enumerate(agents)],
            }] + ([{
                "job_name": "kubeheal-operator",
                "static_configs": [{"targets": [operator_target],
                                    "labels": {"namespace": "kubeheal-system", "pod": "kubeheal-operator-0",
                                               "app_kubernetes_io_name": "kubeheal-operator"}}],
            }] if operator_target else []),
        }
        with open(os.path.join(tmp, "prometheus.yml"), "w") as f:
            yaml.safe_dump(config, f)
        log = open(os.path.join(tmp, "prometheus.log"), "w")
        procs.append(subprocess.Popen([prometheus, f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/data",
                                       f"--web.listen-address=127.0.0.1:{prom_port}"], stdout=log, stderr=subprocess.STDOUT))
        wait_http(f"http://127.0.0.1:{prom_port}/-/ready")

        workers = [threading.Thread(target=traffic, args=([d for d, _ in agents], stop), daemon=True) for _ in range(8)]
        for w in workers:
            w.start()
        print(f"traffic through 2 agents for {args.seconds}s, Prometheus on 127.0.0.1:{prom_port} ...", flush=True)
        rss_before = rss(agents[0][1])
        time.sleep(args.seconds)
        grown = rss(agents[0][1]) - rss_before
        # The memory-growth alert can only hold if the agent's memoryLeak fault really grows RSS.
        memory_grows = grown > 8 * 1024 * 1024
        print(f"agent RSS grew by {grown / 1048576:.1f} MiB under the memoryLeak fault", flush=True)

        parse_only = []
        returned = 0
        # With the operator scraped, its process and runtime metrics must return series too.
        must_with_operator = re.compile(r"kubeheal-operator|kubeheal_(reconcile|kube_requests|workqueue)_")
        for title, expr in dashboards:
            promql = grafana_to_promql(expr)
            r = query(prom_port, promql)
            if r.get("status") != "success":
                fail(f"dashboard {title}: {r.get('error')}\n  {promql}")
                continue
            n = len(r["data"]["result"])
            if operator_target and must_with_operator.search(expr) and n == 0:
                fail(f"dashboard {title}: no series although the operator is scraped\n  {promql}")
            elif OPERATOR_METRIC.search(expr) and not (operator_target and n > 0):
                parse_only.append(title)
            elif n == 0:
                fail(f"dashboard {title}: no series\n  {promql}")
            else:
                returned += 1
        for g in groups:
            for rule in g["rules"]:
                name = rule.get("record") or rule.get("alert")
                r = query(prom_port, rule["expr"])
                if r.get("status") != "success":
                    fail(f"rule {name}: {r.get('error')}")
                    continue
                n = len(r["data"]["result"])
                if OPERATOR_METRIC.search(rule["expr"]):
                    parse_only.append(f"rule {name}")
                elif name == "KubehealMemoryGrowth" and not memory_grows and n == 0:
                    parse_only.append(f"rule {name} (the agent's memoryLeak fault did not grow its RSS)")
                elif n == 0:
                    fail(f"rule {name}: no series although the injected faults should make it hold\n  {rule['expr']}")
                else:
                    returned += 1
                if "record" in rule:
                    r = query(prom_port, rule["record"])
                    if not r["data"]["result"]:
                        fail(f"recording rule {name}: Prometheus has not recorded it")
        alerts = query(prom_port, "ALERTS")["data"]["result"]
        pending = sorted({a["metric"]["alertname"] for a in alerts})
        print(f"{returned} expressions returned series; {len(parse_only)} over operator metrics parsed only:")
        for t in parse_only:
            print("   ", t)
        print("alerts pending/firing in Prometheus:", ", ".join(pending) or "none")
        expected = ["KubehealHighErrorRate", "KubehealErrorBudgetBurnFast", "KubehealHighLatencyP99"]
        if memory_grows:
            expected.append("KubehealMemoryGrowth")
        for want in expected:
            if want not in pending:
                fail(f"alert {want} is not pending although its condition holds")
    finally:
        stop.set()
        for p in procs:
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
        if failures:
            for name in sorted(os.listdir(tmp)):
                if name.endswith(".log"):
                    print(f"--- {name} (tail)")
                    print("".join(open(os.path.join(tmp, name)).readlines()[-15:]))
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print(f"{len(failures)} problem(s)")
        sys.exit(1)
    print("ok: every dashboard and rule expression ran against a real Prometheus scraping real agents")


if __name__ == "__main__":
    main()
