#!/usr/bin/env python3
"""Generates the Grafana dashboards of the chart (files/dashboards/*.json).

Run after editing: `python3 charts/kubeheal/hack/gen-dashboards.py`. The JSON files are committed
(the chart ships them through .Files.Glob); tests/charts checks they are valid for Grafana and
that they are what this script produces (no hand edits that the next run would lose).

Metric names: the agent's are in agent/API.md; the operator's are listed in the chart README
("Metrics the dashboards use"). The service label is app_kubernetes_io_name (labelmap of the pod
label app.kubernetes.io/name), the pod and namespace labels come from Kubernetes discovery.
"""
import json
import os
import sys

SCHEMA_VERSION = 39
DS = {"type": "prometheus", "uid": "${datasource}"}
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "files", "dashboards")

SVC = 'namespace="$namespace",app_kubernetes_io_name=~"$service"'


class Dashboard:
    """Lays panels out on Grafana's 24-column grid, left to right, top to bottom."""

    def __init__(self, uid, title, description, tags, variables):
        self.uid, self.title, self.description = uid, title, description
        self.tags = ["kubeheal"] + tags
        self.variables = variables
        self.panels = []
        self.annotations = []
        self.x = self.y = self.row_h = 0

    def _place(self, w, h):
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        pos = {"x": self.x, "y": self.y, "w": w, "h": h}
        self.x += w
        self.row_h = max(self.row_h, h)
        return pos

    def row(self, title):
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        self.panels.append({"type": "row", "title": title, "collapsed": False, "panels": [],
                            "id": len(self.panels) + 1, "gridPos": self._place(24, 1)})
        self.x, self.y, self.row_h = 0, self.y + 1, 0

    def panel(self, kind, title, targets, w=12, h=8, unit=None, description="", **extra):
        field_config = {"defaults": {}, "overrides": []}
        if unit:
            field_config["defaults"]["unit"] = unit
        for key in ("thresholds", "min", "max", "custom", "mappings", "color", "decimals"):
            if key in extra:
                field_config["defaults"][key] = extra.pop(key)
        instant = extra.pop("instant", False)
        p = {
            "id": len(self.panels) + 1,
            "type": kind,
            "title": title,
            "description": description,
            "datasource": DS,
            "gridPos": self._place(w, h),
            "fieldConfig": field_config,
            "options": extra.pop("options", {}),
            "targets": [
                {"datasource": DS, "refId": chr(ord("A") + i), "expr": expr, "legendFormat": legend,
                 **({"format": "heatmap"} if kind == "heatmap" else {}),
                 **({"instant": True, "range": False, "format": "table"} if instant else {})}
                for i, (expr, legend) in enumerate(targets)
            ],
        }
        p.update(extra)
        self.panels.append(p)

    def annotation(self, name, expr, title, text, color="orange"):
        self.annotations.append({
            "name": name, "datasource": DS, "enable": True, "iconColor": color, "expr": expr,
            "step": "30s", "titleFormat": title, "textFormat": text, "useValueForTime": False,
        })

    def to_json(self):
        return {
            "uid": self.uid,
            "title": self.title,
            "description": self.description,
            "tags": self.tags,
            "schemaVersion": SCHEMA_VERSION,
            "version": 1,
            "editable": True,
            "graphTooltip": 1,
            "refresh": "30s",
            "time": {"from": "now-1h", "to": "now"},
            "timezone": "",
            "links": [{"type": "dashboards", "tags": ["kubeheal"], "asDropdown": True, "title": "kubeheal"}],
            "annotations": {"list": [{
                "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
                "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
                "name": "Annotations & Alerts", "type": "dashboard"}] + self.annotations},
            "templating": {"list": self.variables},
            "panels": self.panels,
        }


def datasource_var():
    return {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
            "current": {}, "hide": 0, "refresh": 1, "regex": "", "options": []}


def query_var(name, label, query, multi=False, include_all=False):
    return {"name": name, "label": label, "type": "query", "datasource": DS,
            "query": {"query": query, "refId": f"{name}-var"}, "definition": query,
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": include_all,
            "current": {}, "hide": 0, "options": [], "regex": ""}


def custom_var(name, label, values, current):
    return {"name": name, "label": label, "type": "custom", "query": ",".join(values),
            "current": {"text": current, "value": current}, "hide": 0, "multi": False,
            "includeAll": False,
            "options": [{"text": v, "value": v, "selected": v == current} for v in values]}


def service_vars():
    return [datasource_var(),
            query_var("namespace", "Namespace", "label_values(http_requests_total, namespace)"),
            query_var("service", "Service",
                      'label_values(http_requests_total{namespace="$namespace"}, app_kubernetes_io_name)',
                      multi=True, include_all=True)]


def red():
    d = Dashboard("kubeheal-service-red", "kubeheal / Service RED",
                  "Rate, errors and duration of services behind kubeheal agents, with the agents' fault, circuit and throttle state.",
                  ["red"], service_vars())
    d.row("Rate and errors")
    d.panel("timeseries", "Request rate by status code",
            [(f'sum by (code) (rate(http_requests_total{{{SVC}}}[$__rate_interval]))', "{{code}}")], unit="reqps")
    d.panel("timeseries", "Error rate (5xx share)",
            [(f'sum by (app_kubernetes_io_name) (rate(http_requests_total{{{SVC},code=~"5.."}}[$__rate_interval])) / '
              f'clamp_min(sum by (app_kubernetes_io_name) (rate(http_requests_total{{{SVC}}}[$__rate_interval])), 1e-9)',
              "{{app_kubernetes_io_name}}")], unit="percentunit", min=0)
    d.row("Duration")
    d.panel("timeseries", "Latency p50 / p95 / p99",
            [(f'histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket{{{SVC}}}[$__rate_interval])))', f"p{int(q * 100)}")
             for q in (0.5, 0.95, 0.99)], unit="s")
    d.panel("heatmap", "Latency heatmap",
            [(f'sum by (le) (increase(http_request_duration_seconds_bucket{{{SVC}}}[$__rate_interval]))', "{{le}}")],
            options={"calculate": False, "yAxis": {"unit": "s"}, "cellGap": 1,
                     "color": {"mode": "scheme", "scheme": "Oranges"}})
    d.panel("timeseries", "Requests in flight",
            [(f'sum by (pod) (http_requests_in_flight{{{SVC}}})', "{{pod}}")], unit="short")
    d.panel("timeseries", "Traffic vs CPU",
            [(f'sum(rate(http_requests_total{{{SVC}}}[$__rate_interval]))', "requests/s"),
             (f'sum(rate(process_cpu_seconds_total{{{SVC}}}[$__rate_interval]))', "agent CPU cores")],
            description="Request rate against the CPU the agents use; a divergence hints at a CPU burn or a leak.",
            custom={"axisPlacement": "auto"})
    d.row("Agents")
    d.panel("timeseries", "Faults injected by type",
            [(f'sum by (type) (rate(kubeheal_agent_faults_injected_total{{{SVC}}}[$__rate_interval]))', "{{type}}")], w=8, unit="ops")
    d.panel("timeseries", "Circuit open (pods)",
            [(f'sum by (state) (kubeheal_agent_circuit_state{{{SVC}}})', "{{state}}")], w=8, unit="short")
    d.panel("timeseries", "Throttled and rejected requests",
            [(f'sum(rate(kubeheal_agent_throttled_requests_total{{{SVC}}}[$__rate_interval]))', "throttled (429)"),
             (f'sum(rate(kubeheal_agent_circuit_rejected_total{{{SVC}}}[$__rate_interval]))', "circuit open (503)"),
             (f'sum by (reason) (rate(kubeheal_agent_upstream_errors_total{{{SVC}}}[$__rate_interval]))', "upstream {{reason}}")],
            w=8, unit="reqps")
    return d


def slo():
    v = service_vars() + [custom_var("objective", "Objective (%)", ["99", "99.5", "99.9", "99.95", "99.99"], "99.5")]
    d = Dashboard("kubeheal-slo", "kubeheal / SLO",
                  "Availability against the objective, error budget left and multiwindow burn rates (bands: below 1 within budget, 1-2 burning, above 2 paging).",
                  ["slo"], v)
    good = f'sum(increase(http_requests_total{{{SVC},code!~"5.."}}[$__range]))'
    total = f'sum(increase(http_requests_total{{{SVC}}}[$__range]))'
    steps = {"mode": "absolute", "steps": [{"color": "green", "value": None}, {"color": "yellow", "value": 1}, {"color": "red", "value": 2}]}
    d.row("Objective")
    d.panel("stat", "Availability (time range)", [(f"{good} / clamp_min({total}, 1e-9)", "availability")], w=8, h=6,
            unit="percentunit", decimals=3)
    d.panel("stat", "Error budget remaining (time range)",
            [(f"1 - (1 - {good} / clamp_min({total}, 1e-9)) / (1 - $objective / 100)", "budget left")], w=8, h=6,
            unit="percentunit",
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "yellow", "value": 0.25}, {"color": "green", "value": 0.5}]})
    d.panel("gauge", "Burn rate (1h)",
            [(f'(sum(rate(http_requests_total{{{SVC},code=~"5.."}}[1h])) / clamp_min(sum(rate(http_requests_total{{{SVC}}}[1h])), 1e-9)) / (1 - $objective / 100)', "1h")],
            w=8, h=6, unit="x", min=0, max=10, thresholds=steps)
    d.row("Burn rate")
    d.panel("timeseries", "Burn rate by window",
            [(f'(sum(rate(http_requests_total{{{SVC},code=~"5.."}}[{w}])) / clamp_min(sum(rate(http_requests_total{{{SVC}}}[{w}])), 1e-9)) / (1 - $objective / 100)', w)
             for w in ("5m", "30m", "1h", "6h")],
            w=24, unit="x", thresholds=steps, custom={"thresholdsStyle": {"mode": "area"}},
            description="1 = the budget lasts exactly the compliance period; above 2 it runs out in under half of it.")
    d.panel("timeseries", "Error ratio (recorded)",
            [(f'kubeheal:http_error_ratio:rate5m{{{SVC}}}', "5m {{app_kubernetes_io_name}}"),
             (f'kubeheal:http_error_ratio:rate1h{{{SVC}}}', "1h {{app_kubernetes_io_name}}")],
            w=24, unit="percentunit",
            description="From the chart's recording rules (PrometheusRule or the bundled Prometheus).")
    return d


def event_count(selector, window, by):
    """Events counted by a counter over `window`, by the labels `by`. The operator creates a
    labelled counter series at its first event, with the value 1; increase() needs two samples
    and cannot see that first event, so a series born inside the window adds its first value
    (min_over_time; absent `window` ago). Exact with series pre-created at 0 as well."""
    inc = f"increase({selector}[{window}])"
    born = f"(min_over_time({selector}[{window}]) unless {selector} offset {window})"
    return f"sum by ({by}) (({inc} + {born}) or {inc})"


# The phases of HealingPolicy status (kubeheal_policy_phase's `phase` label) and their colours.
PHASES = [("Pending", "blue"), ("Healthy", "green"), ("Anomalous", "yellow"), ("Remediating", "orange"),
          ("Recovered", "purple"), ("Exhausted", "red"), ("Suspended", "gray")]


def policy_vars():
    return [datasource_var(),
            query_var("policy", "Policy", "label_values(kubeheal_anomaly_score, policy)", multi=True, include_all=True)]


def anomalies():
    d = Dashboard("kubeheal-anomalies", "kubeheal / Anomalies",
                  "Per-signal anomaly scores of the HealingPolicies, the observed value against the band the detector expects, and detections.",
                  ["anomalies"], policy_vars() + [query_var("signal", "Signal", 'label_values(kubeheal_anomaly_score{policy=~"$policy"}, signal)', multi=True, include_all=True)])
    sel = 'policy=~"$policy",signal=~"$signal"'
    d.row("Scores")
    d.panel("timeseries", "Anomaly score by signal", [(f"kubeheal_anomaly_score{{{sel}}}", "{{policy}}/{{signal}}")], w=24, unit="short")
    d.row("Value and expected band")
    d.panel("timeseries", "Signal value with expected band",
            [(f"kubeheal_signal_value{{{sel}}}", "{{policy}}/{{signal}} value"),
             (f"kubeheal_signal_band_low{{{sel}}}", "{{policy}}/{{signal}} low"),
             (f"kubeheal_signal_band_high{{{sel}}}", "{{policy}}/{{signal}} high")], w=24, h=10)
    d.row("Detections")
    d.panel("timeseries", "Detections by policy",
            [(event_count('kubeheal_detections_total{policy=~"$policy"}', "$__rate_interval", "policy"), "{{policy}}")], unit="short")
    d.panel("table", "Detections in range by policy and signal",
            [(event_count('kubeheal_detections_total{policy=~"$policy"}', "$__range", "policy, signal"), "")],
            instant=True)
    return d


def healing():
    d = Dashboard("kubeheal-healing", "kubeheal / Healing",
                  "What kubeheal did: actions over time (also as annotations), counts by type and result, policy phases.",
                  ["healing"], policy_vars())
    # An action marks the minute after it. A counter series is born at its first action with the
    # value 1, which increase() cannot see (it needs two samples), hence the second term.
    d.annotation("kubeheal actions",
                 "sum by (action, result) (increase(kubeheal_actions_total[1m]) > 0"
                 " or ((kubeheal_actions_total > 0) unless kubeheal_actions_total offset 1m))",
                 "{{action}}", "{{action}} {{result}}")
    d.row("Actions")
    d.panel("timeseries", "Actions over time",
            [(event_count("kubeheal_actions_total", "$__rate_interval", "action, result"), "{{action}} {{result}}")],
            w=24, unit="short", custom={"drawStyle": "bars", "stacking": {"mode": "normal"}})
    d.panel("barchart", "Actions by type and result (time range)",
            [(event_count("kubeheal_actions_total", "$__range", "action, result"), "{{action}} {{result}}")],
            instant=True, options={"orientation": "horizontal"})
    # kubeheal_policy_phase is 1 for a policy's current phase and 0 for the others; the timeline
    # shows one lane per policy, its phase as a number mapped back to the name and a colour.
    codes = " or ".join(f'kubeheal_policy_phase{{policy=~"$policy",phase="{ph}"}} * {i}'
                        for i, (ph, _) in enumerate(PHASES, start=1))
    d.panel("state-timeline", "Policy phase",
            [(f"max by (policy) ({codes})", "{{policy}}")],
            mappings=[{"type": "value", "options": {str(i): {"text": ph, "color": color, "index": i - 1}
                                                    for i, (ph, color) in enumerate(PHASES, start=1)}}],
            color={"mode": "thresholds"},
            thresholds={"mode": "absolute", "steps": [{"color": "text", "value": None}]},
            options={"showValue": "never", "mergeValues": True, "rowHeight": 0.8})
    d.panel("bargauge", "Policies by phase (now)",
            [('sum by (phase) (kubeheal_policy_phase{policy=~"$policy"})', "{{phase}}")], w=24, h=5,
            instant=True, unit="short", options={"orientation": "vertical", "displayMode": "basic"})
    d.row("Agents under remediation")
    d.panel("timeseries", "Throttle rate in force (rps)",
            [("max by (namespace, app_kubernetes_io_name) (kubeheal_agent_throttle_rate)", "{{namespace}}/{{app_kubernetes_io_name}}")], unit="reqps")
    d.panel("timeseries", "Open circuits (pods)",
            [('sum by (namespace, app_kubernetes_io_name) (kubeheal_agent_circuit_state{state!="closed"})', "{{namespace}}/{{app_kubernetes_io_name}}")], unit="short")
    return d


def drills():
    d = Dashboard("kubeheal-drills", "kubeheal / Drills",
                  "FaultScenario drills: verdicts, time to detect (MTTD) and to recover (MTTR), faults the agents injected.",
                  ["drills", "chaos"], [datasource_var()])
    d.row("Verdicts")
    d.panel("stat", "Drills passed (time range)",
            [('sum(increase(kubeheal_scenario_verdicts_total{verdict="Passed"}[$__range]))', "passed")], w=6, h=5,
            color={"mode": "fixed", "fixedColor": "green"})
    d.panel("stat", "Drills failed (time range)",
            [('sum(increase(kubeheal_scenario_verdicts_total{verdict="Failed"}[$__range]))', "failed")], w=6, h=5,
            color={"mode": "fixed", "fixedColor": "red"})
    d.panel("bargauge", "MTTD by scenario", [("max by (scenario) (kubeheal_scenario_mttd_seconds)", "{{scenario}}")], w=6, h=5, unit="s")
    d.panel("bargauge", "MTTR by scenario", [("max by (scenario) (kubeheal_scenario_mttr_seconds)", "{{scenario}}")], w=6, h=5, unit="s")
    d.panel("timeseries", "Verdicts over time",
            [(event_count("kubeheal_scenario_verdicts_total", "$__rate_interval", "verdict"), "{{verdict}}")],
            w=24, h=6, unit="short", custom={"drawStyle": "bars", "stacking": {"mode": "normal"}},
            description="Each bar is a FaultScenario that reached its verdict.")
    d.row("Faults")
    d.panel("timeseries", "Active faults by type",
            [("sum by (type) (kubeheal_agent_faults_active)", "{{type}}")], unit="short")
    d.panel("timeseries", "Faults injected by type",
            [("sum by (type) (rate(kubeheal_agent_faults_injected_total[$__rate_interval]))", "{{type}}")], unit="ops")
    d.panel("timeseries", "Error ratio during drills",
            [('sum by (namespace, app_kubernetes_io_name) (rate(http_requests_total{code=~"5.."}[$__rate_interval])) / clamp_min(sum by (namespace, app_kubernetes_io_name) (rate(http_requests_total[$__rate_interval])), 1e-9)',
              "{{namespace}}/{{app_kubernetes_io_name}}")], w=24, unit="percentunit")
    return d


def operator():
    op = 'app_kubernetes_io_name="kubeheal-operator"'
    d = Dashboard("kubeheal-operator", "kubeheal / Operator health",
                  "The operator itself: liveness, reconcile latency and errors, work queues, Kubernetes API calls.",
                  ["operator"], [datasource_var()])
    d.row("Process")
    d.panel("stat", "Operators up", [(f"sum(up{{{op}}})", "up")], w=6, h=5,
            thresholds={"mode": "absolute", "steps": [{"color": "red", "value": None}, {"color": "green", "value": 1}]})
    d.panel("timeseries", "Memory (RSS)", [(f"process_resident_memory_bytes{{{op}}}", "{{pod}}")], w=9, h=5, unit="bytes")
    d.panel("timeseries", "CPU", [(f"rate(process_cpu_seconds_total{{{op}}}[$__rate_interval])", "{{pod}}")], w=9, h=5, unit="cores")
    d.row("Reconcile")
    d.panel("timeseries", "Reconcile p99 by controller",
            [("histogram_quantile(0.99, sum by (controller, le) (rate(kubeheal_reconcile_duration_seconds_bucket[$__rate_interval])))", "{{controller}}")], unit="s")
    d.panel("timeseries", "Reconciles by result",
            [("sum by (controller, result) (rate(kubeheal_reconcile_total[$__rate_interval]))", "{{controller}} {{result}}")], unit="ops")
    d.panel("timeseries", "Work queue depth", [("sum by (name) (kubeheal_workqueue_depth)", "{{name}}")], unit="short")
    d.panel("timeseries", "Kubernetes API requests by verb and code",
            [("sum by (verb, code) (rate(kubeheal_kube_requests_total[$__rate_interval]))", "{{verb}} {{code}}")], unit="reqps")
    d.panel("timeseries", "Watch restarts", [("sum by (resource, reason) (increase(kubeheal_kube_watch_restarts_total[$__rate_interval]))", "{{resource}} {{reason}}")], unit="short")
    d.panel("timeseries", "Actions by result", [("sum by (result) (rate(kubeheal_actions_total[$__rate_interval]))", "{{result}}")], unit="ops")
    d.panel("timeseries", "Prometheus query errors", [("sum(rate(kubeheal_prometheus_query_errors_total[$__rate_interval]))", "query errors/s")], unit="ops")
    return d


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    check = "--check" in sys.argv
    stale = []
    for build in (red, slo, anomalies, healing, drills, operator):
        d = build()
        text = json.dumps(d.to_json(), indent=2, sort_keys=True) + "\n"
        path = os.path.join(OUT_DIR, d.uid.removeprefix("kubeheal-") + ".json")
        if check:
            if not os.path.exists(path) or open(path).read() != text:
                stale.append(path)
        else:
            with open(path, "w") as f:
                f.write(text)
    if stale:
        print("stale dashboards (run charts/kubeheal/hack/gen-dashboards.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
