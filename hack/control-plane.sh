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

log_tag=control-plane
# say, fail, spawn, stop_process, free_port, load_ports, pki_*, kubeconfig_*, start_etcd,
# start_kube_apiserver, ...: hack/lib/local-plane.sh and the files it sources
# shellcheck source=hack/lib/local-plane.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-plane.sh"

# Keeps the ports of an earlier run when they are still free, so kubeconfigs stay valid.
choose_ports() {
  if [[ -f $dir/ports.env ]]; then
    load_ports
    if ! port_listening "${ETCD_CLIENT_PORT:-0}" && ! port_listening "${ETCD_PEER_PORT:-0}" &&
      ! port_listening "${APISERVER_PORT:-0}" && ((ETCD_CLIENT_PORT > 0)); then
      return 0
    fi
  fi
  ETCD_CLIENT_PORT=$(free_port) || fail ports "choosing a free loopback port"
  ETCD_PEER_PORT=$(free_port "$ETCD_CLIENT_PORT") || fail ports "choosing a free loopback port"
  APISERVER_PORT=$(free_port "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT") || fail ports "choosing a free loopback port"
  printf 'ETCD_CLIENT_PORT=%s\nETCD_PEER_PORT=%s\nAPISERVER_PORT=%s\n' \
    "$ETCD_CLIENT_PORT" "$ETCD_PEER_PORT" "$APISERVER_PORT" >"$dir/ports.env"
}

# Generated once per state dir and kept, so kubeconfigs written earlier keep working.
ensure_pki() {
  [[ -f $pki/.complete ]] && return 0
  say "generating certificates and service-account keys in $pki"
  pki_init kubeheal-test-ca
  pki_control_plane IP:10.96.0.1
  touch "$pki/.complete"
}

write_admin_kubeconfig() {
  kubeconfig_write "$dir/admin.kubeconfig" "$(apiserver_url)" kubeheal user "$(kubeconfig_cert_fields admin)"
}

binaries() {
  local_plane_binaries "building kube-apiserver and etcd once (cold: ~8 min on 2 quiet cores, longer beside other builds; progress follows)" \
    kube-apiserver etcd
  APISERVER_BIN=${k8s_bins[0]} ETCD_BIN=${k8s_bins[1]}
}

start_apiserver_process() {
  local extra=()
  # shellcheck disable=SC2206  # word splitting of the extra flags is intended
  [[ -n ${KUBEHEAL_CP_APISERVER_ARGS:-} ]] && extra=($KUBEHEAL_CP_APISERVER_ARGS)
  say "starting kube-apiserver on $(apiserver_url)"
  start_kube_apiserver "$ready_timeout" 127.0.0.1 127.0.0.1 10.96.0.0/16 \
    --disable-admission-plugins ServiceAccount "${extra[@]}"
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
    start_etcd kubeheal
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
  { is_running etcd && etcd_healthy; } || fail start-apiserver "etcd is not running (run 'up')"
  if is_running kube-apiserver && apiserver_ready; then return 0; fi
  stop_process kube-apiserver
  # The listening socket may linger a moment after the process is gone (after stop-apiserver
  # --kill, start-apiserver at once found it taken). Its closed connections stay in TIME_WAIT for
  # a minute; they do not block the new listener (port_listening).
  local i
  for ((i = 0; i < 50; i++)); do port_listening "$APISERVER_PORT" || break; sleep 0.1; done
  port_listening "$APISERVER_PORT" && fail start-apiserver "port $APISERVER_PORT is taken by another process"
  binaries
  local start=$SECONDS
  start_apiserver_process
  say "kube-apiserver ready again on $(apiserver_url) after $((SECONDS - start))s"
}

cmd_restart_apiserver() {
  load_ports
  stop_process kube-apiserver
  cmd_start_apiserver
}

cmd_kubeconfig_for_sa() {
  local ns=${1:-} sa=${2:-}
  [[ -n $ns && -n $sa ]] || fail kubeconfig-for-sa "usage: hack/control-plane.sh kubeconfig-for-sa NAMESPACE SERVICEACCOUNT"
  load_ports
  apiserver_ready || fail kubeconfig-for-sa "kube-apiserver is not ready (run 'up')"
  local kubectl
  kubectl=$(command -v kubectl || "$repo/hack/k8s/build.sh" kubectl) || fail kubeconfig-for-sa "finding or building kubectl"
  local kc=("$kubectl" --kubeconfig "$dir/admin.kubeconfig" --request-timeout 30s)
  "${kc[@]}" get namespace "$ns" >/dev/null 2>&1 ||
    "${kc[@]}" create namespace "$ns" >/dev/null || fail kubeconfig-for-sa "creating namespace $ns"
  "${kc[@]}" -n "$ns" get serviceaccount "$sa" >/dev/null 2>&1 ||
    "${kc[@]}" -n "$ns" create serviceaccount "$sa" >/dev/null ||
    fail kubeconfig-for-sa "creating service account $ns/$sa"
  local token
  token=$("${kc[@]}" -n "$ns" create token "$sa" --duration 24h) ||
    fail kubeconfig-for-sa "TokenRequest for $ns/$sa"
  mkdir -p "$dir/sa"
  local file=$dir/sa/$ns.$sa.kubeconfig
  kubeconfig_write "$file" "$(apiserver_url)" kubeheal user "    token: $token"
  echo "$file"
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
  if [[ $cmd != env && $cmd != status ]]; then lock_state_dir; fi
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
