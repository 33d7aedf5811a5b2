#!/usr/bin/env bash
# Installs (or upgrades) charts/kubeheal for the end-to-end runs into the cluster of $KUBECONFIG
# (unset: the local cluster's, or kind's in kind mode),
# with the same values on both paths, and waits until its pods are Ready:
#   hack/cluster/install-chart.sh local   # hack/cluster.sh: values-e2e.yaml + values-local.yaml
#   hack/cluster/install-chart.sh kind    # hack/kind-up.sh: values-e2e.yaml
# When the operator image is not available (local: not imported into the cluster's containerd;
# kind: not built), the operator is installed with 0 replicas and a warning says so.
# Environment: KUBEHEAL_E2E_NAMESPACE (default kubeheal-e2e), KUBEHEAL_E2E_RELEASE (default kh),
# HELM (default: helm on PATH, else hack/install-helm.sh's), KUBEHEAL_CHART_WAIT (default 5m),
# extra `helm` arguments after the mode (e.g. --set samples.replicas=1).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:?usage: install-chart.sh local|kind [HELM-ARGS...]}
shift
ns=${KUBEHEAL_E2E_NAMESPACE:-kubeheal-e2e}
release=${KUBEHEAL_E2E_RELEASE:-kh}
say() { echo "[install-chart] $*" >&2; }
helm=${HELM:-$(command -v helm || true)}
if [[ -z $helm ]]; then
  "$repo/hack/install-helm.sh" >&2
  helm=$HOME/.cache/kubeheal/bin/helm
fi
values=(-f "$repo/hack/cluster/values-e2e.yaml")
operator_image=yes
case $mode in
  local)
    [[ -n ${KUBECONFIG:-} ]] || eval "$("$repo/hack/cluster.sh" env)"
    values+=(-f "$repo/hack/cluster/values-local.yaml")
    dir=${KUBEHEAL_CLUSTER_DIR:-$HOME/.cache/kubeheal/run/cluster}
    ctr -a "$dir/containerd.sock" -n k8s.io images ls -q 2>/dev/null |
      grep -cxF docker.io/kubeheal/operator:dev >/dev/null || operator_image=""
    ;;
  kind)
    [[ -n ${KUBECONFIG:-} ]] || eval "$("$repo/hack/kind-up.sh" env)"
    docker image inspect kubeheal/operator:dev >/dev/null 2>&1 || operator_image=""
    ;;
  *) say "unknown mode '$mode' (local or kind)"; exit 2 ;;
esac
if [[ -z $operator_image ]]; then
  say "WARNING: image kubeheal/operator:dev not available: installing the operator with 0 replicas"
  values+=(--set operator.replicas=0)
fi
start=$SECONDS
say "helm upgrade --install $release charts/kubeheal -n $ns ($mode values)"
"$helm" upgrade --install "$release" "$repo/charts/kubeheal" -n "$ns" --create-namespace \
  "${values[@]}" "$@" --wait --timeout "${KUBEHEAL_CHART_WAIT:-5m}" >&2 || {
  say "FAILED: the release's pods did not become Ready; what they say:"
  kubectl -n "$ns" get pods -o wide >&2 || true
  kubectl -n "$ns" get events --field-selector type=Warning >&2 || true
  exit 1
}
say "installed in $((SECONDS - start))s:"
kubectl -n "$ns" get pods -o wide >&2
