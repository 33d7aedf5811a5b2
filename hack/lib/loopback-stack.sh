# shellcheck shell=bash
# The kubeheal loop on loopback, without a kubelet: real kube-apiserver + etcd
# (hack/control-plane.sh), real sample services each behind a real kubeheal-agent, a real
# Prometheus scraping the agents, and Pods created through the API whose status.podIP is the
# loopback address where that pod's agent listens (127.0.10.N), so the operator reaches agents
# exactly as it would in a cluster (podIP:9901).
#
# Sourced by hack/demo.sh. Expects BIN (build/bin) and ROOT (repository root).

STACK_DIR=${KUBEHEAL_DEMO_DIR:-$HOME/.cache/kubeheal/run/demo}
STACK_NS=${KUBEHEAL_DEMO_NAMESPACE:-kubeheal-demo}
# name  ip  app-binary  app-flags
STACK_PODS=(
  "users-0 127.0.10.2 users"
  "payments-0 127.0.10.3 payments"
  "orders-0 127.0.10.4 orders --users-url=http://127.0.10.2:8080 --payments-url=http://127.0.10.3:8080"
)

stack_log() { printf '%s  %s\n' "$(date -u +%H:%M:%S)" "$*"; }
stack_fail() { echo "demo: $*" >&2; exit 1; }

stack_spawn() {  # name command... ; runs in background, logs to $STACK_DIR/<name>.log
  local name=$1; shift
  nohup "$@" >"$STACK_DIR/$name.log" 2>&1 &
  echo $! >"$STACK_DIR/$name.pid"
}

stack_wait_http() {  # url seconds what
  local url=$1 secs=$2 what=$3 i
  for ((i = 0; i < secs * 5; i++)); do
    curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
    sleep 0.2
  done
  stack_fail "$what did not answer at $url within ${secs}s; see $STACK_DIR/"
}

# shellcheck source=hack/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/ports.sh"
# A port for the stack, different from the ones it chose before (they may not be bound yet;
# kept in a file, since callers run this in a command substitution).
stack_free_port() {
  local p taken=()
  mkdir -p "$STACK_DIR"
  [[ -f $STACK_DIR/ports.taken ]] && mapfile -t taken <"$STACK_DIR/ports.taken"
  p=$(free_port "${taken[@]}") || stack_fail "choosing a free loopback port"
  echo "$p" >>"$STACK_DIR/ports.taken"
  echo "$p"
}

stack_down() {
  local f pid
  [[ -d $STACK_DIR ]] || return 0
  for f in "$STACK_DIR"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill -TERM "$pid" 2>/dev/null || true
  done
  sleep 1
  for f in "$STACK_DIR"/*.pid; do
    [[ -f $f ]] || continue
    pid=$(cat "$f")
    kill -KILL "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  rm -f "$STACK_DIR/ports.taken"
}

stack_start_apps() {
  mkdir -p "$STACK_DIR"
  head -c 32 /dev/urandom | base64 | tr -d '/+=\n' >"$STACK_DIR/agent-token"
  local spec name ip bin flags
  for spec in "${STACK_PODS[@]}"; do
    read -r name ip bin flags <<<"$spec"
    # shellcheck disable=SC2086  # the app flags of STACK_PODS are split into words on purpose
    stack_spawn "$name-app" "$BIN/$bin" --listen "$ip:8081" $flags
    stack_spawn "$name-agent" "$BIN/kubeheal-agent" --listen "$ip:8080" --upstream "$ip:8081" \
      --admin "$ip:9901" --token-file "$STACK_DIR/agent-token" --threads 2 --quiet
  done
  for spec in "${STACK_PODS[@]}"; do
    read -r name ip _ <<<"$spec"
    stack_wait_http "http://$ip:8080/health" 20 "$name (through its agent)"
    stack_wait_http "http://$ip:9901/healthz" 10 "$name's agent admin port"
  done
}

stack_start_prometheus() {
  PROM_PORT=$(stack_free_port)
  local spec name ip
  {
    echo "global: {scrape_interval: 2s, evaluation_interval: 2s}"
    echo "scrape_configs:"
    echo "- job_name: kubeheal-agents"
    echo "  static_configs:"
    for spec in "${STACK_PODS[@]}"; do
      read -r name ip _ <<<"$spec"
      echo "  - targets: ['$ip:9901']"
      echo "    labels: {namespace: '$STACK_NS', pod: '$name', app: '${name%-*}'}"
    done
  } >"$STACK_DIR/prometheus.yml"
  rm -rf "$STACK_DIR/prometheus-data"
  stack_spawn prometheus /usr/bin/prometheus --config.file="$STACK_DIR/prometheus.yml" \
    --storage.tsdb.path="$STACK_DIR/prometheus-data" --web.listen-address="127.0.0.1:$PROM_PORT"
  PROM_URL="http://127.0.0.1:$PROM_PORT"
  stack_wait_http "$PROM_URL/-/ready" 30 "Prometheus"
  echo "$PROM_URL" >"$STACK_DIR/prometheus.url"
}

# Creates the namespace, the agent token Secret, one Deployment per service and its Pod, with
# the Pod's status set to Running/Ready at the agent's loopback address.
stack_register_pods() {
  kubectl create namespace "$STACK_NS" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  kubectl -n "$STACK_NS" create secret generic kubeheal-agent-token \
    --from-file=token="$STACK_DIR/agent-token" --dry-run=client -o yaml | kubectl apply -f - >/dev/null
  local spec name ip app
  for spec in "${STACK_PODS[@]}"; do
    read -r name ip _ <<<"$spec"
    app=${name%-*}
    # A previous run's objects are replaced, not patched (selectors are immutable).
    kubectl -n "$STACK_NS" delete deployment "$app" --ignore-not-found >/dev/null
    kubectl -n "$STACK_NS" delete pod "$name" --ignore-not-found --grace-period=0 --force >/dev/null 2>&1
    kubectl apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata: {name: $app, namespace: $STACK_NS, labels: {app.kubernetes.io/name: $app}}
spec:
  replicas: 1
  selector: {matchLabels: {app.kubernetes.io/name: $app}}
  template:
    metadata: {labels: {app.kubernetes.io/name: $app, kubeheal.io/agent: "true"}}
    spec:
      containers:
      - {name: app, image: kubeheal/$app:dev}
      - {name: agent, image: kubeheal/agent:dev}
---
apiVersion: v1
kind: Pod
metadata: {name: $name, namespace: $STACK_NS, labels: {app.kubernetes.io/name: $app, kubeheal.io/agent: "true"}}
spec:
  containers:
  - {name: app, image: kubeheal/$app:dev}
  - {name: agent, image: kubeheal/agent:dev}
YAML
    kubectl -n "$STACK_NS" patch pod "$name" --subresource=status --type=merge -p \
      "{\"status\":{\"phase\":\"Running\",\"podIP\":\"$ip\",\"podIPs\":[{\"ip\":\"$ip\"}],\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}}" >/dev/null
  done
}
