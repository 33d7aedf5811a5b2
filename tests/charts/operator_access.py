"""What the operator calls on the Kubernetes API, verb by verb, and what it must not be able to do.

One table shared by the chart checks: chart_static_checks.py `rbac` compares the rendered
ClusterRole with NEEDED exactly (nothing missing, nothing extra) and checks that every method of
operator/controllers' KubeOperations interface and every informer of operator/cmd is in this
table (so a new call cannot slip in without its RBAC); chart_cluster_checks.py `operator-rbac`
asks the real API server (kubectl auth can-i as the chart's ServiceAccount) that every NEEDED
verb is allowed and every DENIED one is refused. promql_checks.py runs the real operator under
that ServiceAccount through a whole drill and fails on any 403.
"""

# KubeOperations method (operator/controllers/include/kubeheal/controllers/kube_operations.h)
# -> the (apiGroup, resource, verb) it needs, from kube_client_operations.cc.
KUBE_OPERATIONS = {
    "GetCustom": [("kubeheal.io", "healingpolicies", "get"), ("kubeheal.io", "faultscenarios", "get")],
    "UpdateCustomStatus": [("kubeheal.io", "healingpolicies/status", "update"),
                           ("kubeheal.io", "faultscenarios/status", "update")],
    "PatchCustomMetadata": [("kubeheal.io", "healingpolicies", "patch"), ("kubeheal.io", "faultscenarios", "patch")],
    "GetWorkload": [("apps", "deployments", "get"), ("apps", "statefulsets", "get")],
    "GetReplicas": [("apps", "deployments/scale", "get"), ("apps", "statefulsets/scale", "get")],
    "SetReplicas": [("apps", "deployments/scale", "patch"), ("apps", "statefulsets/scale", "patch")],
    "RolloutRestart": [("apps", "deployments", "patch"), ("apps", "statefulsets", "patch")],
    "ListPods": [("", "pods", "list")],
    "EvictPod": [("", "pods/eviction", "create")],
    "DeletePod": [("", "pods", "delete")],
    "GetSecretValue": [("", "secrets", "get")],  # kubeheal-agent-token only, by resourceNames
    "RecordEvent": [("", "events", "create"), ("", "events", "patch")],  # kube/event_recorder.cc
}

# Informers (operator/cmd/src/operator_app.cc: `options.resource = ...` of a kube::Informer):
# list + watch. Their caches serve GetCustom, GetWorkload and ListPods (CachedKubeOperations),
# which fall back to the API (the verbs above) until a cache has synced.
INFORMER_RESOURCES = {
    'CustomResource("HealingPolicy")': [("kubeheal.io", "healingpolicies")],
    'CustomResource("FaultScenario")': [("kubeheal.io", "faultscenarios")],
    "Pods()": [("", "pods")],
    "Deployments()": [("apps", "deployments")],
    "StatefulSets()": [("apps", "statefulsets")],
}

NEEDED = sorted({access for accesses in KUBE_OPERATIONS.values() for access in accesses} |
                {(g, r, v) for rs in INFORMER_RESOURCES.values() for g, r in rs for v in ("list", "watch")})

# The acting half (chart: kubeheal.operatorActRules): with operator.actionNamespaces these are
# granted only in those namespaces, the rest of NEEDED (observing) wherever the operator watches.
ACTING = sorted([
    ("apps", "deployments", "patch"), ("apps", "statefulsets", "patch"),
    ("apps", "deployments/scale", "get"), ("apps", "statefulsets/scale", "get"),
    ("apps", "deployments/scale", "patch"), ("apps", "statefulsets/scale", "patch"),
    ("", "pods", "delete"), ("", "pods/eviction", "create"), ("", "secrets", "get"),
])
OBSERVING = sorted(set(NEEDED) - set(ACTING))

# Leader election (operator/kube/leader_elector.cc), in the release namespace, on the chart's Lease.
LEASE_NEEDED = [("coordination.k8s.io", "leases", "get"), ("coordination.k8s.io", "leases", "create"),
                ("coordination.k8s.io", "leases", "update")]

# Calls the operator never makes; each one would widen what a compromised operator could do.
DENIED = [
    ("kubeheal.io", "healingpolicies", "create"), ("kubeheal.io", "healingpolicies", "delete"),
    ("kubeheal.io", "healingpolicies", "update"), ("kubeheal.io", "faultscenarios", "delete"),
    ("kubeheal.io", "faultscenarios/finalizers", "update"),
    ("apps", "deployments", "create"), ("apps", "deployments", "delete"), ("apps", "deployments", "update"),
    ("apps", "deployments/scale", "update"), ("apps", "statefulsets", "delete"), ("apps", "daemonsets", "patch"),
    ("apps", "replicasets", "list"), ("apps", "replicasets", "delete"),
    ("", "pods", "create"), ("", "pods", "patch"), ("", "pods/exec", "create"), ("", "pods/log", "get"),
    ("", "pods/ephemeralcontainers", "patch"),
    ("", "secrets", "list"), ("", "secrets", "watch"), ("", "configmaps", "get"), ("", "services", "patch"),
    ("", "serviceaccounts/token", "create"), ("", "events", "delete"),
    ("rbac.authorization.k8s.io", "rolebindings", "create"),
]
# Cluster-scoped, asked without a namespace.
DENIED_CLUSTER = [
    ("rbac.authorization.k8s.io", "clusterrolebindings", "create"), ("", "nodes", "get"),
    ("", "namespaces", "delete"), ("apiextensions.k8s.io", "customresourcedefinitions", "update"),
    ("admissionregistration.k8s.io", "validatingwebhookconfigurations", "create"),
]


def flatten(rules):
    """A Role's rules as a set of (apiGroup, resource, verb)."""
    out = set()
    for r in rules:
        for g in r.get("apiGroups", []):
            for res in r.get("resources", []):
                for v in r.get("verbs", []):
                    out.add((g, res, v))
    return out


def can_i_args(group, resource, verb, name=None):
    """kubectl auth can-i arguments: VERB RESOURCE[.GROUP][/NAME] [--subresource=SUB]."""
    base, _, sub = resource.partition("/")
    what = base + (f".{group}" if group else "")
    if name:
        what += f"/{name}"
    return [verb, what] + ([f"--subresource={sub}"] if sub else [])
