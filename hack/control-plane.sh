#!/usr/bin/env bash
# A real Kubernetes control plane for tests: etcd + kube-apiserver on loopback, no kubelet,
# no controller-manager, no scheduler. Interface: docs/contracts.md, "Local control plane".
#
#   hack/control-plane.sh up                 start (build the binaries first if missing); idempotent
#   hack/control-plane.sh down               stop exactly the processes `up` started; safe to repeat
#   hack/control-plane.sh status             exit 0 when etcd and the apiserver are up and ready
#   hack/control-plane.sh env                prints `export KUBECONFIG=...` (and the URLs)
#   hack/control-plane.sh restart-apiserver  stop + start kube-apiserver only (same port, same etcd)
#   hack/control-plane.sh stop-apiserver [--kill]   stop it (SIGTERM, or SIGKILL with --kill)
#   hack/control-plane.sh start-apiserver    start it again on the same port, wait for /readyz
#   hack/control-plane.sh kubeconfig-for-sa NAMESPACE SA
#                                            creates namespace + service account if missing, mints
#                                            a token (TokenRequest) and prints the kubeconfig's path
#
# State lives in ${KUBEHEAL_CP_DIR:-~/.cache/kubeheal/run/control-plane}:
#   admin.kubeconfig   client certificate in group system:masters (embedded data)
#   pki/               CA, serving and client certificates, service-account signing key pair
#   etcd-data/         etcd's data; emptied by every `up` that has to start etcd (fresh cluster)
#   logs/              etcd.log, kube-apiserver.log
#   *.pid, ports.env   what `down` and `restart-apiserver` use
#   sa/NS.SA.kubeconfig  kubeconfigs written by kubeconfig-for-sa
#
# Limits of this test plane (by design): without kube-controller-manager deleted namespaces stay
# Terminating, Deployments create no ReplicaSets, the service-account controller creates no
# `default` SA and no token Secrets (mint tokens with TokenRequest, i.e. kubeconfig-for-sa). The
# ServiceAccount admission plugin is disabled so Pods can be created without that `default` SA;
# they stay Pending (no scheduler, no kubelet).
#
# Environment: KUBEHEAL_CP_DIR; KUBEHEAL_CP_APISERVER_ARGS (extra kube-apiserver flags, e.g.
# for watch-cache or timeout tests); KUBEHEAL_CP_READY_TIMEOUT (seconds, default 120).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${KUBEHEAL_CP_DIR:-$HOME/.cache/kubeheal/run/control-plane}
pki=$dir/pki
logs=$dir/logs
ready_timeout=${KUBEHEAL_CP_READY_TIMEOUT:-120}

say() { echo "[control-plane] $*" >&2; }
# fail STEP LOGFILE: names the failed step and shows the end of its log.
fail() {
  say "FAILED at step: $1"
  if [[ -n ${2:-} && -f $2 ]]; then
    say "last lines of $2:"
    tail -n 25 "$2" >&2
    say "full log: $2"
  fi
  exit 1
}

# ---------------------------------------------------------------- processes

# pid_file, is_running, stop_process NAME [SIGNAL], spawn NAME LOGFILE CMD...
# shellcheck source=hack/lib/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/processes.sh"

# ---------------------------------------------------------------- ports

# port_in_use PORT, port_listening PORT, free_port [TAKEN...]
# shellcheck source=hack/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/ports.sh"

# Keeps the ports of an earlier run when they are still free, so kubeconfigs stay valid.
choose_ports() {
  if [[ -f $dir/ports.env ]]; then
    # shellcheck disable=SC1091
    source "$dir/ports.env"
    if ! port_listening "${ETCD_CLIENT_PORT:-0}" && ! port_listening "${ETCD_PEER_PORT:-0}" &&
      ! port_listening "${APISERVER_PORT:-0}" && ((ETCD_CLIENT_PORT > 0)); then
      return 0
    fi
  fi
  ETCD_CLIENT_PORT=$(free_port) || fail "choosing a free loopback port"
  ETCD_PEER_PORT=$(free_port "$ETCD_CLIENT_PORT") || fail "choosing a free loopback port"
  APISERVER_PORT=$(free_port "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT") || fail "choosing a free loopback port"
  printf 'ETCD_CLIENT_PORT=%s\nETCD_PEER_PORT=%s\nAPISERVER_PORT=%s\n' \
    "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" >"$dir/ports.env"
}

load_ports() {
  [[ -f $dir/ports.env ]] || fail "reading $dir/ports.env (run 'hack/control-plane.sh up' first)"
  # shellcheck disable=SC1091
  source "$dir/ports.env"
}

apiserver_url() { echo "https://127.0.0.1:$APISERVER_PORT"; }
etcd_url() { echo "http://127.0.0.1:$ETCD_CLIENT_PORT"; }

# ---------------------------------------------------------------- certificates

# sign_cert NAME SUBJECT EXTENSIONS: key + certificate signed by our CA.
sign_cert() {
  local name=$1 subject=$2 ext=$3
  openssl genrsa -out "$pki/$name.key" 2048 2>/dev/null
  openssl req -new -key "$pki/$name.key" -subj "$subject" -out "$pki/$name.csr" 2>/dev/null
  printf '%s\n' "$ext" >"$pki/$name.ext"
  openssl x509 -req -in "$pki/$name.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial \
    -days 3650 -sha256 -extfile "$pki/$name.ext" -out "$pki/$name.crt" 2>/dev/null
  rm -f "$pki/$name.csr" "$pki/$name.ext"
}

# Generated once per state dir and kept, so kubeconfigs written earlier keep working.
ensure_pki() {
  [[ -f $pki/.complete ]] && return 0
  say "generating certificates and service-account keys in $pki"
  rm -rf "$pki"
  mkdir -p "$pki"
  chmod 700 "$pki"
  openssl genrsa -out "$pki/ca.key" 2048 2>/dev/null
  openssl req -x509 -new -key "$pki/ca.key" -subj "/CN=kubeheal-test-ca" -days 3650 -sha256 \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$pki/ca.crt" 2>/dev/null
  sign_cert apiserver "/CN=kube-apiserver" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
  local client_ext="basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
  sign_cert admin "/O=system:masters/CN=kubeheal-admin" "$client_ext"
  # For the apiserver's calls to kubelets, once a later stage adds nodes.
  sign_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "$client_ext"
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
  openssl rsa -in "$pki/sa.key" -pubout -out "$pki/sa.pub" 2>/dev/null
  touch "$pki/.complete"
}

b64() { base64 -w0 <"$1"; }

# write_kubeconfig FILE USER-YAML-LINES: one cluster, one user, one context named kubeheal.
write_kubeconfig() {
  local file=$1 user=$2
  umask 077
  cat >"$file.tmp" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: kubeheal
  cluster:
    server: $(apiserver_url)
    certificate-authority-data: $(b64 "$pki/ca.crt")
users:
- name: user
  user:
$user
contexts:
- name: kubeheal
  context:
    cluster: kubeheal
    user: user
current-context: kubeheal
EOF
  mv "$file.tmp" "$file"
}

write_admin_kubeconfig() {
  write_kubeconfig "$dir/admin.kubeconfig" "    client-certificate-data: $(b64 "$pki/admin.crt")
    client-key-data: $(b64 "$pki/admin.key")"
}

# ---------------------------------------------------------------- health

etcd_healthy() { curl -fsS --max-time 2 "$(etcd_url)/health" 2>/dev/null | grep -q '"health":"true"'; }

apiserver_ready() {
  [[ $(curl -sS --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "$(apiserver_url)/readyz" 2>/dev/null) == ok ]]
}

# wait_for NAME CHECK TIMEOUT LOG: polls CHECK; fails early when the process died.
wait_for() {
  local name=$1 check=$2 timeout=$3 log_file=$4 start=$SECONDS
  while ! $check; do
    ! has_exited "$name" || fail "$name exited during startup ($(exit_reason "$name"))" "$log_file"
    ((SECONDS - start < timeout)) || fail "waiting ${timeout}s for $name to become ready" "$log_file"
    sleep 0.3
  done
}

# ---------------------------------------------------------------- etcd and apiserver

binaries() {
  local paths missing=0 bin
  for bin in $("$repo/hack/k8s/build.sh" --path kube-apiserver etcd); do [[ -x $bin ]] || missing=1; done
  ((missing == 0)) || say "building kube-apiserver and etcd once (cold: ~8 min on 2 quiet cores, longer beside other builds; progress follows)"
  paths=$("$repo/hack/k8s/build.sh" kube-apiserver etcd) || fail "building kube-apiserver and etcd (hack/k8s/build.sh)"
  APISERVER_BIN=$(sed -n 1p <<<"$paths")
  ETCD_BIN=$(sed -n 2p <<<"$paths")
}

start_etcd() {
  rm -rf "$dir/etcd-data"
  mkdir -p "$dir/etcd-data"
  chmod 700 "$dir/etcd-data"
  local peer=http://127.0.0.1:$ETCD_PEER_PORT
  say "starting etcd on $(etcd_url)"
  # --unsafe-no-fsync: a throwaway test cluster, durability across power loss is not needed.
  spawn etcd "$logs/etcd.log" "$ETCD_BIN" --name kubeheal --data-dir "$dir/etcd-data" \
    --listen-client-urls "$(etcd_url)" --advertise-client-urls "$(etcd_url)" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "kubeheal=$peer" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  wait_for etcd etcd_healthy 30 "$logs/etcd.log"
}

start_apiserver_process() {
  local extra=()
  # shellcheck disable=SC2206  # word splitting of the extra flags is intended
  [[ -n ${KUBEHEAL_CP_APISERVER_ARGS:-} ]] && extra=($KUBEHEAL_CP_APISERVER_ARGS)
  say "starting kube-apiserver on $(apiserver_url)"
  spawn kube-apiserver "$logs/kube-apiserver.log" "$APISERVER_BIN" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$APISERVER_PORT" \
    --etcd-servers "$(etcd_url)" \
    --cert-dir "$pki" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range 10.96.0.0/16 \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --disable-admission-plugins ServiceAccount \
    --profiling=false --v=1 "${extra[@]}"
  wait_for kube-apiserver apiserver_ready "$ready_timeout" "$logs/kube-apiserver.log"
}

# ---------------------------------------------------------------- commands

print_where() {
  cat <<EOF
control plane ready:
  kube-apiserver  $(apiserver_url)   (pid $(<"$(pid_file kube-apiserver)"), log $logs/kube-apiserver.log)
  etcd            $(etcd_url)   (pid $(<"$(pid_file etcd)"), log $logs/etcd.log)
  kubeconfig      $dir/admin.kubeconfig   (user kubeheal-admin, group system:masters)
  use it:         eval "\$(hack/control-plane.sh env)"
EOF
}

cmd_up() {
  local start=$SECONDS
  mkdir -p "$dir" "$logs"
  if is_running etcd && is_running kube-apiserver && [[ -f $dir/ports.env ]]; then
    load_ports
    if etcd_healthy && apiserver_ready; then
      print_where
      return 0
    fi
  fi
  binaries
  ensure_pki
  if is_running etcd && [[ -f $dir/ports.env ]] && { load_ports; etcd_healthy; }; then
    say "etcd already running, (re)starting kube-apiserver only"
    stop_process kube-apiserver
  else
    stop_process kube-apiserver
    stop_process etcd
    choose_ports
    start_etcd
  fi
  write_admin_kubeconfig
  start_apiserver_process
  print_where
  say "up in $((SECONDS - start))s"
}

cmd_down() {
  stop_process kube-apiserver
  stop_process etcd
  sweep_leftovers etcd kube-apiserver
  return 0
}

cmd_status() {
  local ok=0
  if [[ ! -f $dir/ports.env ]]; then
    echo "control plane: not set up ($dir)"
    return 3
  fi
  load_ports
  if is_running etcd && etcd_healthy; then
    echo "etcd:           running, healthy   pid $(<"$(pid_file etcd)")  $(etcd_url)"
  else
    echo "etcd:           not running/healthy   $(etcd_url)"
    ok=3
  fi
  if is_running kube-apiserver && apiserver_ready; then
    echo "kube-apiserver: running, ready     pid $(<"$(pid_file kube-apiserver)")  $(apiserver_url)"
  else
    echo "kube-apiserver: not running/ready   $(apiserver_url)"
    ok=3
  fi
  echo "kubeconfig:     $dir/admin.kubeconfig"
  return $ok
}

cmd_env() {
  echo "export KUBECONFIG=$dir/admin.kubeconfig"
  echo "export KUBEHEAL_CP_DIR=$dir"
  if [[ -f $dir/ports.env ]]; then
    load_ports
    echo "export KUBEHEAL_APISERVER_URL=$(apiserver_url)"
    echo "export KUBEHEAL_ETCD_URL=$(etcd_url)"
  fi
}

cmd_stop_apiserver() {
  local sig=TERM
  [[ ${1:-} == --kill ]] && sig=KILL
  stop_process kube-apiserver "$sig"
}

cmd_start_apiserver() {
  load_ports
  { is_running etcd && etcd_healthy; } || fail "start-apiserver: etcd is not running (run 'up')"
  if is_running kube-apiserver && apiserver_ready; then return 0; fi
  stop_process kube-apiserver
  port_listening "$APISERVER_PORT" && fail "start-apiserver: port $APISERVER_PORT is taken by another process"
  binaries
  local start=$SECONDS
  start_apiserver_process
  say "kube-apiserver ready again on $(apiserver_url) after $((SECONDS - start))s"
}

cmd_restart_apiserver() {
  load_ports
  stop_process kube-apiserver
  # The listening socket may linger a moment after the process is gone. Its closed connections
  # stay in TIME_WAIT for a minute; they do not block the new listener (port_listening).
  local i
  for ((i = 0; i < 50; i++)); do port_listening "$APISERVER_PORT" || break; sleep 0.1; done
  cmd_start_apiserver
}

cmd_kubeconfig_for_sa() {
  local ns=${1:-} sa=${2:-}
  [[ -n $ns && -n $sa ]] || fail "usage: hack/control-plane.sh kubeconfig-for-sa NAMESPACE SERVICEACCOUNT"
  load_ports
  apiserver_ready || fail "kubeconfig-for-sa: kube-apiserver is not ready (run 'up')"
  local kubectl
  kubectl=$(command -v kubectl || "$repo/hack/k8s/build.sh" kubectl) || fail "kubeconfig-for-sa: finding or building kubectl"
  local kc=("$kubectl" --kubeconfig "$dir/admin.kubeconfig" --request-timeout 30s)
  "${kc[@]}" get namespace "$ns" >/dev/null 2>&1 ||
    "${kc[@]}" create namespace "$ns" >/dev/null || fail "kubeconfig-for-sa: creating namespace $ns"
  "${kc[@]}" -n "$ns" get serviceaccount "$sa" >/dev/null 2>&1 ||
    "${kc[@]}" -n "$ns" create serviceaccount "$sa" >/dev/null ||
    fail "kubeconfig-for-sa: creating service account $ns/$sa"
  local token
  token=$("${kc[@]}" -n "$ns" create token "$sa" --duration 24h) ||
    fail "kubeconfig-for-sa: TokenRequest for $ns/$sa"
  mkdir -p "$dir/sa"
  local file=$dir/sa/$ns.$sa.kubeconfig
  write_kubeconfig "$file" "    token: $token"
  echo "$file"
}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    up | down | status | env | restart-apiserver | stop-apiserver | start-apiserver | kubeconfig-for-sa) ;;
    *) usage ;;
  esac
  mkdir -p "$dir"
  # One command at a time per state dir (env and status only read).
  if [[ $cmd != env && $cmd != status ]]; then
    exec 8>"$dir/.lock"
    flock 8
  fi
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    restart-apiserver) cmd_restart_apiserver ;;
    stop-apiserver) cmd_stop_apiserver "$@" ;;
    start-apiserver) cmd_start_apiserver ;;
    kubeconfig-for-sa) cmd_kubeconfig_for_sa "$@" ;;
  esac
}

main "$@"
