#!/usr/bin/env bash
# The kubeheal loop without a kubelet (`KUBEHEAL_DEMO_MODE=loopback make demo`; `make demo`
# itself runs on a real cluster, see hack/demo.sh).
#
#   hack/demo/loopback.sh         build, bring everything up, run drills 1 and 2 with a live
#                                 timeline, leave the stack running
#   hack/demo/loopback.sh down    stop everything it started
#
# It runs the loop without a kubelet: a real kube-apiserver + etcd (hack/control-plane.sh),
# the CRDs, real sample services each behind a real kubeheal-agent on its own loopback address
# (127.0.10.x), a real Prometheus scraping the agents, Pods registered through the API with
# those addresses as their podIP, and the real kubeheal-operator reconciling HealingPolicies and
# FaultScenarios against all of it. What needs a kubelet (restarts that really restart, scaled
# replicas that really run) is not shown here.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT"
# KUBEHEAL_BIN: use binaries from elsewhere and skip the build (development).
BIN=${KUBEHEAL_BIN:-$ROOT/build/bin}
# shellcheck source=hack/lib/loopback-stack.sh
source hack/lib/loopback-stack.sh

if [[ "${1:-}" == "down" ]]; then
  stack_down
  hack/control-plane.sh down || true
  echo "demo: stopped"
  exit 0
fi

t0=$SECONDS
step() { echo; echo "==> [$((SECONDS - t0))s] $*"; }

step "installing dependencies and building (first run: several minutes)"
hack/install-deps.sh
[[ -n ${KUBEHEAL_BIN:-} ]] || hack/build.sh build
for b in kubeheal-agent orders payments users kubeheal-loadgen; do
  [[ -x $BIN/$b ]] || stack_fail "missing $BIN/$b after the build"
done
have_operator=0
[[ -x $BIN/kubeheal-operator ]] && have_operator=1

step "mode: loopback (no kubelet; see the top of hack/demo/loopback.sh)"
stack_down
mkdir -p "$STACK_DIR"

step "control plane: etcd + kube-apiserver (first run builds them from Go modules: long)"
hack/control-plane.sh up
eval "$(hack/control-plane.sh env)"
kubectl apply -f crds/ >/dev/null
kubectl wait --for=condition=Established --timeout=60s crd/healingpolicies.kubeheal.io \
  crd/faultscenarios.kubeheal.io >/dev/null
echo "CRDs installed"

step "sample services behind their agents, and Prometheus"
stack_start_apps
stack_start_prometheus
stack_register_pods
kubectl -n "$STACK_NS" get pods -o wide

if [[ $have_operator == 0 ]]; then
  step "operator: NOT BUILT YET — showing the data path only (a fault through the agent admin API)"
  stack_spawn loadgen "$BIN/kubeheal-loadgen" run --target http://127.0.10.4:8080 --mode steady \
    --rate 40 --duration 60s --mix 'POST /orders=1' --quiet
  sleep 20
  curl -fsS -X POST -H "Authorization: Bearer $(cat "$STACK_DIR/agent-token")" \
    -H 'Content-Type: application/json' http://127.0.10.3:9901/v1/faults \
    -d '{"type":"latency","percent":100,"ttlSeconds":30,"params":{"delayMs":1000}}'
  echo
  sleep 25
  curl -fsS "$PROM_URL/api/v1/query" --data-urlencode \
    'query=histogram_quantile(0.99, sum by (pod, le) (rate(http_request_duration_seconds_bucket[20s])))'
  echo
  echo "p99 of payments-0 above reflects the injected 1000 ms; no operator acts on it yet."
  exit 0
fi

step "operator"
stack_spawn operator "$BIN/kubeheal-operator" --kubeconfig "$KUBECONFIG" \
  --prometheus-url "$PROM_URL" --namespaces "$STACK_NS" \
  --agent-token-file "$STACK_DIR/agent-token" --release-namespace "$STACK_NS" \
  --metrics-addr "127.0.0.1:$(stack_free_port)" --health-addr "127.0.0.1:$(stack_free_port)" \
  --log-format text
sleep 2
kill -0 "$(cat "$STACK_DIR/operator.pid")" 2>/dev/null ||
  { tail -n 20 "$STACK_DIR/operator.log"; stack_fail "the operator exited; see $STACK_DIR/operator.log"; }
echo "kubeheal-operator running (log: $STACK_DIR/operator.log)"

step "traffic: kubeheal-loadgen, steady 40 req/s on orders (which calls users and payments), 15 min"
stack_spawn loadgen "$BIN/kubeheal-loadgen" run --target http://127.0.10.4:8080 --mode steady \
  --rate 40 --duration 15m --mix 'POST /orders=3,GET /health=1'
stack_spawn loadgen-users "$BIN/kubeheal-loadgen" run --target http://127.0.10.2:8080 \
  --mode steady --rate 20 --duration 15m --mix 'GET /users/{id}=4,POST /users=1' --quiet

step "healing policies for payments and users; learning the baseline (60 s)"
kubectl -n "$STACK_NS" apply -f hack/demo/policies.yaml
sleep 60
kubectl -n "$STACK_NS" get healingpolicies

verdicts=()
for drill in drill-1-latency-payments drill-2-errors-users; do
  step "$drill"
  kubectl -n "$STACK_NS" delete faultscenario "$drill" --ignore-not-found >/dev/null
  kubectl -n "$STACK_NS" apply -f "hack/demo/$drill.yaml" >/dev/null
  if python3 hack/demo/timeline.py "$STACK_NS" "$drill" 300; then verdicts+=("$drill: Passed")
  else verdicts+=("$drill: NOT passed"); fi
done

step "summary"
printf '  %s\n' "${verdicts[@]}"
kubectl -n "$STACK_NS" get faultscenarios
kubectl -n "$STACK_NS" get healingpolicies
cat <<MSG

The stack is still running. Look at it:
  eval "\$(hack/control-plane.sh env)"
  kubectl -n $STACK_NS get healingpolicies,faultscenarios
  kubectl -n $STACK_NS describe healingpolicy payments
  kubectl -n $STACK_NS get events --sort-by=.lastTimestamp
  Prometheus: $PROM_URL   operator log: $STACK_DIR/operator.log
Stop it:
  hack/demo/loopback.sh down
MSG
