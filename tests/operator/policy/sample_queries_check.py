#!/usr/bin/env python3
"""The sample HealingPolicies' PromQL, checked with Prometheus' own engine (promtool).

1. Every query of crds/examples/healingpolicy-*.yaml (placeholders rendered as the operator
   does, SLO queries for each window) parses.
2. The traffic signal of the per-service samples (request rate over the last 30 s relative to
   the busiest minute of the 5 minutes before) on synthetic counters, 15 s apart: ~1 across a
   pod replacement (the selector spans the workload's pods, old ones included) and on a fresh
   install (a few minutes of history), >= 2.5 within a minute of a 6x flood, back under 2.5
   within a minute after it; under 2.5 through a 2x ramp and a 2x burst on top of it.
3. The error-ratio signal on synthetic counters: 0 when healthy, ~0.4 under 40% upstream
   errors, no value while the agent's open circuit refuses almost everything (its own 503s are
   not the service's errors), 0 again once the circuit closed on a recovered service.
Usage: sample_queries_check.py PROMTOOL   (run from the repository root)
"""
import glob
import os
import subprocess
import sys
import tempfile

import yaml

PROMTOOL = sys.argv[1] if len(sys.argv) > 1 else "promtool"
EXAMPLES = sorted(glob.glob("crds/examples/healingpolicy-*.yaml"))


def render(query, window="5m"):
    return (query.replace("{{namespace}}", "ns").replace("{{workload}}", "orders")
            .replace("{{pod}}", "orders-a|orders-b").replace("{{window}}", window))


def promtool(*args):
    return subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)


def check_parse(tmp):
    rules = []
    for path in EXAMPLES:
        spec = yaml.safe_load(open(path))["spec"]
        queries = [s["query"] for s in spec["signals"]]
        slo = spec.get("slo")
        if slo:
            windows = {w for a in slo.get("burnRateAlerts", [{"longWindow": "1h", "shortWindow": "5m"}])
                       for w in (a["longWindow"], a["shortWindow"])}
            for w in sorted(windows):
                queries += [render(slo["goodQuery"], w), render(slo["totalQuery"], w)]
        for i, q in enumerate(queries):
            rules.append({"record": "check:%s:%d" % (os.path.basename(path)[:-5].replace("-", "_"), i),
                          "expr": render(q)})
    if len(rules) < 15:
        return "only %d queries found in %s" % (len(rules), EXAMPLES)
    path = os.path.join(tmp, "rules.yml")
    yaml.safe_dump({"groups": [{"name": "samples", "rules": rules}]}, open(path, "w"))
    r = promtool("check", "rules", path)
    print(r.stdout.strip())
    return None if r.returncode == 0 else r.stdout + r.stderr


def counter(start, end, rate_at, steps=200):
    values, c = [], 0
    for i in range(steps):
        if i < start or i > end:
            values.append("_")
            continue
        if i > start:
            c += rate_at(i) * 15
        values.append(str(int(c)))
    return " ".join(values)


def value_at(tmp, query, at, input_series):
    """The query's value at `at` over the synthetic series (None: no value), by promtool."""
    rules = os.path.join(tmp, "q.yml")
    yaml.safe_dump({"groups": [{"name": "t", "rules": [{"record": "q", "expr": query}]}]},
                   open(rules, "w"))
    test = {"rule_files": [rules], "evaluation_interval": "15s", "tests": [{
        "interval": "15s", "input_series": input_series,
        "promql_expr_test": [{"expr": "q", "eval_time": at,
                              "exp_samples": [{"labels": "q", "value": -1}]}]}]}
    path = os.path.join(tmp, "q-test.yml")
    yaml.safe_dump(test, open(path, "w"))
    r = promtool("test", "rules", path)
    out = r.stdout + r.stderr
    for line in out.splitlines():
        if "got:" in line:
            return float(line.split("}")[-1]) if "}" in line else None
    raise RuntimeError("no answer from promtool at %s:\n%s" % (at, out))


def traffic_value(tmp, query, at):
    flood = lambda i: 60 if 120 < i <= 132 else 10  # 6x from 30 m to 33 m
    return value_at(tmp, query, at, [
        # orders-a is replaced by orders-c at 20 m (a rolling restart)
        {"series": 'http_requests_total{namespace="ns",pod="orders-a"}',
         "values": counter(0, 80, lambda i: 10)},
        {"series": 'http_requests_total{namespace="ns",pod="orders-b"}',
         "values": counter(0, 199, flood)},
        {"series": 'http_requests_total{namespace="ns",pod="orders-c"}',
         "values": counter(80, 199, flood)},
    ])


def ramp_burst_value(tmp, query, at):
    # The soak's day: 10 req/s, 20 from 7m30s (the ramp), a 2x burst to 40 for 30 s at 10 m,
    # then back to 20; a 6x flood of the ramped rate (120) from 20 m to 22 m.
    def rate(i):
        if 80 < i <= 88:
            return 120
        if 40 < i <= 42:
            return 40
        return 20 if i > 30 else 10
    return value_at(tmp, query, at, [
        {"series": 'http_requests_total{namespace="ns",pod="orders-b"}', "values": counter(0, 199, rate)}])


def e2e_value(tmp, query, at):
    # The e2e stage at 15 s steps: its 10-minute soak (20 req/s, 40 from 1m15s, 60 from 2m30s, a
    # 2x burst to 120 for 30 s at 4m30s, 40 from 7m, 20 from 9m30s), then drill 4's 6x flood to
    # 120 at 16m45s, 12 minutes after the burst.
    def rate(i):
        if 67 <= i < 75:
            return 120
        if 18 <= i < 20:
            return 120
        return 60 if 10 <= i < 28 else 40 if 5 <= i < 38 else 20
    return value_at(tmp, query, at, [
        {"series": 'http_requests_total{namespace="ns",pod="orders-b"}', "values": counter(0, 199, rate)}])


def check_errors(tmp):
    spec = yaml.safe_load(open("crds/examples/healingpolicy-orders.yaml"))["spec"]
    query = render(next(s for s in spec["signals"] if s["name"] == "error-ratio")["query"])
    # 10 req/s; 40% upstream 500s from 10 m; the circuit opens at 15 m and refuses everything
    # with 503 for 1 m, the fault ends with it; then all is well.
    fault = lambda i: 40 <= i < 64
    opened = lambda i: 60 <= i < 64
    series = [
        {"series": 'http_requests_total{namespace="ns",pod="orders-a",code="200"}',
         "values": counter(0, 199, lambda i: 0 if opened(i) else (6 if fault(i) else 10))},
        {"series": 'http_requests_total{namespace="ns",pod="orders-a",code="500"}',
         "values": counter(0, 199, lambda i: 4 if fault(i) and not opened(i) else 0)},
        {"series": 'http_requests_total{namespace="ns",pod="orders-a",code="503"}',
         "values": counter(0, 199, lambda i: 10 if opened(i) else 0)},
        {"series": 'kubeheal_agent_circuit_rejected_total{namespace="ns",pod="orders-a"}',
         "values": counter(0, 199, lambda i: 10 if opened(i) else 0)},
    ]
    expectations = [("9m", 0.0), ("14m", 0.4), ("15m45s", None), ("19m", 0.0)]
    failures = []
    for at, want in expectations:
        v = value_at(tmp, query, at, series)
        ok = v is None if want is None else (v is not None and abs(v - want) < 0.02)
        print("error-ratio at %s: %s (expected %s)%s" % (at, v, want, "" if ok else "  <- FAIL"))
        if not ok:
            failures.append(at)
    return None if not failures else "error-ratio signal wrong at " + ", ".join(failures)


def check_traffic(tmp):
    spec = yaml.safe_load(open("crds/examples/healingpolicy-orders.yaml"))["spec"]
    signal = next(s for s in spec["signals"] if s["name"] == "request-rate")
    threshold = signal["detector"]["params"]["above"]
    query = render(signal["query"])
    # A fresh install (counters born at 0 m): no value until 5 minutes of history exist (no peak
    # to compare with yet), then the usual rate. Across the pod replacement at 20 m the old pod's
    # last minute overlaps the new one's first: a peak ~12% above the rate for 15 minutes.
    expectations = [("3m", "none", None), ("5m", "none", None), ("7m", "<", 1.3), ("7m", ">", 0.7),
                    ("19m", "<", 1.1), ("19m", ">", 0.9), ("22m", "<", 1.1), ("25m", ">", 0.85),
                    ("30m", "<", threshold), ("31m", ">=", threshold),
                    ("34m", "<", threshold), ("40m", "<", threshold)]
    # The soak's ramp and a 2x burst on top of it are no surge (an average over 15 min, still
    # holding the traffic before the ramp, read 2.7x); a flood on the ramped rate is.
    ramp = [("10m15s", "<", threshold), ("10m30s", "<", threshold), ("10m45s", "<", threshold),
            ("11m", "<", threshold), ("21m", ">=", threshold)]
    # The e2e soak's burst to 120 req/s must not hide drill 4's flood to the same rate 12
    # minutes later (a peak over 15 minutes did: the flood read 1.3x).
    e2e = [("4m45s", "<|none", threshold), ("5m", "<|none", threshold), ("17m15s", ">=", threshold),
           ("17m30s", ">=", threshold)]
    failures = []
    for value, name, checks in ((traffic_value, "request-rate", expectations),
                                (ramp_burst_value, "request-rate (ramp, burst)", ramp),
                                (e2e_value, "request-rate (e2e soak, drill 4)", e2e)):
        failures += check_points(tmp, query, value, name, checks)
    return None if not failures else "traffic signal wrong at " + ", ".join(failures)


def check_points(tmp, query, value, name, expectations):
    failures = []
    for at, op, bound in expectations:
        v = value(tmp, query, at)
        if op == "none":
            ok = v is None
        elif op == "<|none":  # no value (not enough history yet) acts as little as a low one
            ok = v is None or v < bound
        else:
            ok = v is not None and {"<": v < bound, ">": v > bound, ">=": v >= bound}[op]
        print("%s at %s: %s (expected %s %s)%s" % (name, at, "none" if v is None else "%.3f" % v, op,
                                                  "" if bound is None else bound, "" if ok else "  <- FAIL"))
        if not ok:
            failures.append("%s %s" % (name, at))
    return failures


def main():
    with tempfile.TemporaryDirectory() as tmp:
        errors = [e for e in (check_parse(tmp), check_traffic(tmp), check_errors(tmp)) if e]
    for e in errors:
        print("FAIL:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
