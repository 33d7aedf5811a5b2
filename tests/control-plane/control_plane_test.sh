#!/usr/bin/env bash
# Checks of hack/control-plane.sh (run by ctest, see CMakeLists.txt next to this file).
#   control_plane_test.sh readyz | admin_kubeconfig | forbidden_for_restricted_sa | restart_apiserver
#       against the running plane of ${KUBEHEAL_CP_DIR:-~/.cache/kubeheal/run/control-plane}
#   control_plane_test.sh lifecycle DIR
#       up / idempotent up / status / down / down again on a private plane in DIR
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cp_script=$repo/hack/control-plane.sh
dir=${KUBEHEAL_CP_DIR:-$HOME/.cache/kubeheal/run/control-plane}

# kubectl: the machine's, else one built from the pinned Kubernetes version.
kubectl() { command kubectl "$@"; }
command -v kubectl >/dev/null || {
  kubectl_bin=$("$repo/hack/k8s/build.sh" kubectl)
  kubectl() { "$kubectl_bin" "$@"; }
}

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "PASS: $*"; }

load() {
  [[ -f $dir/ports.env ]] || fail "$dir/ports.env missing: is the control plane up?"
  # shellcheck disable=SC1091  # written by hack/control-plane.sh up, not a source file
  source "$dir/ports.env"
  url=https://127.0.0.1:$APISERVER_PORT
  admin=(kubectl --kubeconfig "$dir/admin.kubeconfig" --request-timeout 20s)
}

readyz_body() {
  curl -sS --max-time 5 --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" \
    --key "$dir/pki/admin.key" "$url/readyz" 2>&1 || true
}

check_readyz() {
  load
  local body
  body=$(readyz_body)
  [[ $body == ok ]] || fail "GET $url/readyz answered '$body', expected 'ok'"
  # The verbose form lists the individual checks; etcd must be one of them and pass.
  body=$(curl -sS --max-time 5 --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" \
    --key "$dir/pki/admin.key" "$url/readyz?verbose")
  grep -q '^\[+\]etcd ok' <<<"$body" || fail "readyz?verbose has no passing etcd check: $body"
  pass "readyz ok at $url"
}

check_admin_kubeconfig() {
  load
  local namespaces who
  namespaces=$("${admin[@]}" get namespaces -o name) || fail "kubectl get namespaces with admin.kubeconfig"
  grep -qx namespace/kube-system <<<"$namespaces" || fail "kube-system not listed: $namespaces"
  grep -qx namespace/default <<<"$namespaces" || fail "default not listed: $namespaces"
  "${admin[@]}" auth can-i '*' '*' --all-namespaces | grep -qx yes || fail "admin is not cluster-admin"
  # A write must work too (etcd behind the apiserver is writable).
  local name=cp-test-$$-$RANDOM
  "${admin[@]}" -n default create configmap "$name" --from-literal k=v >/dev/null ||
    fail "creating configmap default/$name"
  [[ $("${admin[@]}" -n default get configmap "$name" -o jsonpath='{.data.k}') == v ]] ||
    fail "configmap default/$name did not read back"
  "${admin[@]}" -n default delete configmap "$name" >/dev/null
  who=$("${admin[@]}" auth whoami -o jsonpath='{.status.userInfo.username}' 2>/dev/null || true)
  pass "admin kubeconfig works (user '${who:-?}', namespaces: $(wc -l <<<"$namespaces"))"
}

check_forbidden_for_restricted_sa() {
  load
  local ns=cp-rbac-$$-$RANDOM kubeconfig out
  kubeconfig=$("$cp_script" kubeconfig-for-sa "$ns" reader) || fail "kubeconfig-for-sa $ns reader"
  [[ -f $kubeconfig ]] || fail "kubeconfig-for-sa printed '$kubeconfig', not a file"
  local sa=(kubectl --kubeconfig "$kubeconfig" --request-timeout 20s)
  # No binding yet: authenticated as the service account, but forbidden.
  if out=$("${sa[@]}" -n "$ns" get configmaps 2>&1); then
    fail "restricted SA could list configmaps without any RBAC binding: $out"
  fi
  grep -q 'Forbidden' <<<"$out" || fail "expected Forbidden, got: $out"
  grep -q "system:serviceaccount:$ns:reader" <<<"$out" || fail "error does not name the SA: $out"
  # Bind a Role granting get/list on configmaps in its namespace: that works, secrets still don't.
  "${admin[@]}" -n "$ns" create role cm-reader --verb get,list --resource configmaps >/dev/null
  "${admin[@]}" -n "$ns" create rolebinding cm-reader --role cm-reader \
    --serviceaccount "$ns:reader" >/dev/null
  "${sa[@]}" -n "$ns" get configmaps >/dev/null 2>&1 || fail "SA with Role cm-reader cannot list configmaps"
  if out=$("${sa[@]}" -n "$ns" get secrets 2>&1); then
    fail "SA with only cm-reader could list secrets: $out"
  fi
  grep -q 'Forbidden' <<<"$out" || fail "expected Forbidden for secrets, got: $out"
  if out=$("${sa[@]}" -n kube-system get configmaps 2>&1); then
    fail "namespaced Role leaked to kube-system: $out"
  fi
  grep -q 'Forbidden' <<<"$out" || fail "expected Forbidden in kube-system, got: $out"
  pass "restricted SA $ns/reader: Forbidden without binding, allowed exactly what its Role grants"
}

check_restart_apiserver() {
  load
  local old_pid new_pid port_before=$APISERVER_PORT name=cp-restart-$$-$RANDOM
  old_pid=$(<"$dir/kube-apiserver.pid")
  "${admin[@]}" -n default create configmap "$name" --from-literal k=before >/dev/null
  # A watch held open across the restart, as a controller's informer holds one: the stopping
  # apiserver closes it first, which leaves the server's end in TIME_WAIT on the apiserver port
  # for a minute. The restart must not take that for "port taken" (it did: CI, stop 25).
  local watch_log=$dir/logs/restart-watch.$$.log
  curl -sS -N --max-time 60 --cacert "$dir/pki/ca.crt" --cert "$dir/pki/admin.crt" \
    --key "$dir/pki/admin.key" "$url/api/v1/namespaces/default/configmaps?watch=true" \
    >"$watch_log" 2>&1 &
  local watch_pid=$!
  sleep 1
  local start=$SECONDS
  local out
  out=$("$cp_script" restart-apiserver 2>&1) || fail "restart-apiserver exited non-zero: $out"
  local took=$((SECONDS - start))
  wait "$watch_pid" 2>/dev/null || true
  rm -f "$watch_log"
  load
  new_pid=$(<"$dir/kube-apiserver.pid")
  [[ $new_pid != "$old_pid" ]] || fail "kube-apiserver pid unchanged ($old_pid): not restarted"
  [[ ! -d /proc/$old_pid ]] || [[ $(awk '{print $3}' "/proc/$old_pid/stat") == Z ]] ||
    fail "old kube-apiserver $old_pid still alive"
  [[ $APISERVER_PORT == "$port_before" ]] || fail "port changed $port_before -> $APISERVER_PORT"
  [[ $(readyz_body) == ok ]] || fail "not ready right after restart-apiserver returned"
  [[ $("${admin[@]}" -n default get configmap "$name" -o jsonpath='{.data.k}') == before ]] ||
    fail "configmap written before the restart is gone (etcd data lost?)"
  "${admin[@]}" -n default delete configmap "$name" >/dev/null
  # stop/start as separate steps: while stopped, the port refuses connections.
  "$cp_script" stop-apiserver || fail "stop-apiserver"
  if curl -sS --max-time 3 -k "$url/readyz" >/dev/null 2>&1; then fail "apiserver answers after stop-apiserver"; fi
  "$cp_script" status >/dev/null && fail "status reports healthy while the apiserver is stopped"
  "$cp_script" start-apiserver || fail "start-apiserver"
  [[ $(readyz_body) == ok ]] || fail "not ready after start-apiserver"
  "$cp_script" status >/dev/null || fail "status not healthy after start-apiserver"
  pass "restart-apiserver took ${took}s; pid $old_pid -> $new_pid, port $APISERVER_PORT kept, data kept"
}

check_lifecycle() {
  local private=${1:?lifecycle needs a state dir}
  export KUBEHEAL_CP_DIR=$private
  dir=$private
  trap '"$cp_script" down >/dev/null 2>&1 || true' EXIT
  "$cp_script" down >/dev/null 2>&1 || true
  local start=$SECONDS
  "$cp_script" up || fail "up in $private"
  local up_time=$((SECONDS - start))
  local etcd_pid api_pid
  etcd_pid=$(<"$dir/etcd.pid")
  api_pid=$(<"$dir/kube-apiserver.pid")
  start=$SECONDS
  "$cp_script" up >/dev/null || fail "second up"
  ((SECONDS - start <= 3)) || fail "second up took $((SECONDS - start))s, expected an instant return"
  [[ $(<"$dir/etcd.pid") == "$etcd_pid" && $(<"$dir/kube-apiserver.pid") == "$api_pid" ]] ||
    fail "second up restarted processes"
  "$cp_script" status || fail "status after up"
  eval "$("$cp_script" env)"
  # shellcheck disable=SC2153  # KUBECONFIG is set by the eval of `env` just above
  [[ $KUBECONFIG == "$dir/admin.kubeconfig" ]] || fail "env printed KUBECONFIG=$KUBECONFIG"
  kubectl get namespace default >/dev/null || fail "kubectl via env's KUBECONFIG"
  "$cp_script" down || fail "down"
  [[ ! -d /proc/$etcd_pid ]] || [[ $(awk '{print $3}' "/proc/$etcd_pid/stat") == Z ]] ||
    fail "etcd $etcd_pid survived down"
  [[ ! -d /proc/$api_pid ]] || [[ $(awk '{print $3}' "/proc/$api_pid/stat") == Z ]] ||
    fail "kube-apiserver $api_pid survived down"
  "$cp_script" down || fail "second down"
  if "$cp_script" status >/dev/null; then fail "status healthy after down"; fi
  pass "private plane: up ${up_time}s, second up instant, down stops both, down twice ok"
}

case ${1:-} in
  readyz) check_readyz ;;
  admin_kubeconfig) check_admin_kubeconfig ;;
  forbidden_for_restricted_sa) check_forbidden_for_restricted_sa ;;
  restart_apiserver) check_restart_apiserver ;;
  lifecycle) check_lifecycle "${2:-}" ;;
  *) echo "usage: $0 readyz|admin_kubeconfig|forbidden_for_restricted_sa|restart_apiserver|lifecycle DIR" >&2; exit 2 ;;
esac
