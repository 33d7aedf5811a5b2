#!/usr/bin/env bash
# `make demo`: kubeheal on a real Kubernetes, live.
#
#   hack/demo.sh          install what is missing, build, bring up the single-node cluster from
#                         parts (hack/cluster.sh) unless the current kubeconfig reaches a cluster,
#                         install the chart with the samples, the bundled Prometheus and the
#                         operator, let the policies learn a baseline, run drills 1 and 2 with a
#                         live timeline, and leave everything running with the commands to look
#                         at it and to stop it
#   hack/demo.sh down     stop what the demo started (the local cluster, or the release on a
#                         cluster that was already there)
#
# Environment:
#   KUBEHEAL_DEMO_MODE=loopback   the same loop without a kubelet (hack/demo/loopback.sh)
#   KUBEHEAL_DEMO_CLUSTER=local   always use the local cluster, even when a kubeconfig is set
#   KUBEHEAL_DEMO_DRILLS="1 2"    drills of tests/e2e/drills/ to run (default 1 2)
#   JOBS                          build parallelism (default: all cores)
# The building blocks are those of the end-to-end drills (hack/lib/drills.sh).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

if [[ ${KUBEHEAL_DEMO_MODE:-cluster} == loopback ]]; then
  exec hack/demo/loopback.sh "$@"
fi

# shellcheck source=hack/lib/drills.sh
source hack/lib/drills.sh
state=$HOME/.cache/kubeheal/run/demo-cluster.env   # what `down` has to undo

if [[ "${1:-}" == "down" ]]; then
  if [[ -f $state ]]; then
    # shellcheck disable=SC1090  # the state file the demo wrote, not a source file
    source "$state"
  fi
  if [[ ${DEMO_USED:-local} == local ]]; then
    hack/cluster.sh down
  else
    export KUBECONFIG=${DEMO_KUBECONFIG:-${KUBECONFIG:-}}
    helm=$(command -v helm || echo "$HOME/.cache/kubeheal/bin/helm")
    "$helm" uninstall "${KUBEHEAL_E2E_RELEASE:-kh}" -n "${KUBEHEAL_E2E_NAMESPACE:-kubeheal-e2e}" || true
  fi
  rm -f "$state"
  echo "demo: stopped"
  exit 0
fi

t0=$SECONDS
step() { echo; echo "==> [$((SECONDS - t0))s] $*"; }
fail() { echo "demo: FAILED: $*" >&2; exit 1; }

step "installing dependencies (Debian packages, first run: minutes)"
hack/install-deps.sh

step "building (build/; first run on a new machine: ~15 min)"
JOBS=${JOBS:-$(nproc)} hack/build.sh build

# Which cluster: the one the current kubeconfig reaches, else the local one from parts.
mode=local
used=local
if [[ ${KUBEHEAL_DEMO_CLUSTER:-} != local ]] &&
   timeout 10 kubectl get --raw /readyz >/dev/null 2>&1; then
  context=$(kubectl config current-context 2>/dev/null || echo "?")
  used=current
  [[ $context == kind-* ]] && mode=kind
fi
export KUBEHEAL_E2E_BUILD_DIR=build
E2E_ARTIFACTS=${E2E_ARTIFACTS:-$HOME/.cache/kubeheal/run/demo-artifacts}
export E2E_ARTIFACTS
rm -rf "$E2E_ARTIFACTS"
e2e_init "$mode"

step "container images (build/images; the bundled Prometheus is built from its Go module once: a few minutes cold)"
if [[ $used == current && $mode != kind ]]; then
  echo "using the current kubeconfig context '$context': the images kubeheal/<name>:dev must be"
  echo "available to that cluster (built here with hack/images.sh; push or load them yourself)"
  docker info >/dev/null 2>&1 || hack/docker-up.sh
  hack/images.sh build
else
  e2e_ensure_images || fail "images (see above)"
fi

mkdir -p "$(dirname "$state")"
if [[ $used == local ]]; then
  step "local single-node cluster (hack/cluster.sh: etcd, apiserver, controller-manager, scheduler, containerd, kubelet, kube-proxy)"
  e2e_ensure_cluster || fail "cluster; components' logs are in ~/.cache/kubeheal/run/cluster/logs"
  step "importing the images into the cluster's containerd"
  e2e_load_images || fail "loading the images"
else
  step "cluster: the current kubeconfig context '$context'"
  export KUBECONFIG=${KUBECONFIG:-$HOME/.kube/config}
  if [[ $mode == kind ]]; then
    e2e_load_images || fail "kind load"
  fi
fi
printf 'DEMO_USED=%s\nDEMO_KUBECONFIG=%s\n' "$used" "${KUBECONFIG:-}" >"$state"

step "helm install: CRDs, operator (2 replicas, leader election), sample services with agent sidecars, loadgen, Prometheus, example HealingPolicies"
e2e_install || fail "chart install"
kubectl -n "$E2E_NS" get pods -o wide

step "Prometheus scraping the agents"
e2e_wait_scraped || fail "Prometheus does not scrape the agents"

step "learning the baseline (the policies evaluate every 15 s and need 20 points: ~5 min on a fresh Prometheus)"
e2e_wait_baseline || fail "the policies' baseline did not warm"
kubectl -n "$E2E_NS" get healingpolicies

verdicts=()
read -r -a drills <<<"${KUBEHEAL_DEMO_DRILLS:-1 2}"
for n in "${drills[@]}"; do
  file=$(e2e_drill_file "$n") || fail "no drill $n"
  step "drill $n: $(sed -n '1s/^# //p' "$file")"
  e2e_settle orders payments users
  if e2e_follow "$file" "${E2E_DRILL_TIMEOUT:-480}"; then
    verdicts+=("drill $n: Passed (MTTD $(e2e_result mttd | paste -sd/), MTTR $(e2e_result mttr | paste -sd/), actions $(e2e_result actions | paste -sd/))")
  else
    verdicts+=("drill $n: NOT passed ($(e2e_result reason | paste -sd';'))")
  fi
done

step "summary"
printf '  %s\n' "${verdicts[@]}"
kubectl -n "$E2E_NS" get faultscenarios
kubectl -n "$E2E_NS" get healingpolicies
prom_ip=$(kubectl -n "$E2E_NS" get svc "$E2E_RELEASE-kubeheal-prometheus" -o jsonpath='{.spec.clusterIP}' 2>/dev/null || true)
kcfg=""
# shellcheck disable=SC2016  # a command for the reader to run, printed as it is
[[ $used == local ]] && kcfg='eval "$(hack/cluster.sh env)"'
cat <<MSG

Everything is still running. Look at it:
  ${kcfg:-# current kubeconfig context}
  kubectl -n $E2E_NS get healingpolicies,faultscenarios,pods
  kubectl -n $E2E_NS describe healingpolicy payments
  kubectl -n $E2E_NS get events --sort-by=.lastTimestamp
  kubectl -n $E2E_NS logs deploy/$E2E_OPERATOR
  Prometheus: http://${prom_ip:-<clusterIP>}:9090 from this host (local cluster), or
              kubectl -n $E2E_NS port-forward svc/$E2E_RELEASE-kubeheal-prometheus 9090
  another drill: kubectl -n $E2E_NS apply -f tests/e2e/drills/3-crashloop-orders.yaml
  timelines and dumps: $E2E_ARTIFACTS
Stop it:
  hack/demo.sh down
MSG
for v in "${verdicts[@]}"; do [[ $v == *": Passed"* ]] || exit 1; done
