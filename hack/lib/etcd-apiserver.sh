# shellcheck shell=bash
# etcd and kube-apiserver of the local control planes (hack/control-plane.sh, hack/cluster.sh),
# on loopback ports chosen by the caller. Needs hack/lib/log.sh (say, fail) and
# hack/lib/processes.sh (spawn, has_exited) sourced, and these variables set:
#   dir, logs, pki                     state dir, its logs/ and its pki/ (hack/lib/pki.sh)
#   ETCD_BIN, APISERVER_BIN            the binaries (local_plane_binaries, hack/lib/local-plane.sh)
#   ETCD_CLIENT_PORT, ETCD_PEER_PORT, APISERVER_PORT
# shellcheck disable=SC2154  # dir, logs, pki: set by the sourcing script, see above

etcd_url() { echo "http://127.0.0.1:$ETCD_CLIENT_PORT"; }
apiserver_url() { echo "https://127.0.0.1:$APISERVER_PORT"; }

# grep -c reads all of curl's output: under pipefail an early `grep -q` exit could fail curl.
etcd_healthy() { curl -fsS --max-time 2 "$(etcd_url)/health" 2>/dev/null | grep -c '"health":"true"' >/dev/null; }

apiserver_ready() {
  [[ $(curl -sS --max-time 3 --cacert "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key" \
    "$(apiserver_url)/readyz" 2>/dev/null) == ok ]]
}

# wait_for NAME CHECK TIMEOUT: polls CHECK until it succeeds; fails (naming NAME, with the end of
# $logs/NAME.log) when the process NAME has exited or after TIMEOUT seconds.
wait_for() {
  local name=$1 check=$2 timeout=$3 start=$SECONDS
  while ! $check; do
    ! has_exited "$name" || fail "$name" "exited during startup ($(exit_reason "$name"))"
    ((SECONDS - start < timeout)) || fail "$name" "not ready after ${timeout}s"
    sleep 0.3
  done
}

# start_etcd MEMBER_NAME: a fresh single-member etcd (its data dir emptied), waits until healthy.
start_etcd() {
  local member=$1 peer=http://127.0.0.1:$ETCD_PEER_PORT
  rm -rf "$dir/etcd-data"
  mkdir -p "$dir/etcd-data"
  chmod 700 "$dir/etcd-data"
  say "starting etcd on $(etcd_url)"
  # --unsafe-no-fsync: a throwaway test cluster, durability across power loss is not needed.
  spawn etcd "$logs/etcd.log" "$ETCD_BIN" --name "$member" --data-dir "$dir/etcd-data" \
    --listen-client-urls "$(etcd_url)" --advertise-client-urls "$(etcd_url)" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "$member=$peer" --initial-cluster-state new \
    --unsafe-no-fsync --log-level warn
  wait_for etcd etcd_healthy 30
}

# start_kube_apiserver TIMEOUT BIND_ADDRESS ADVERTISE_ADDRESS SERVICE_CIDR [FLAG...]: kube-apiserver
# on APISERVER_PORT backed by our etcd, serving and client certificates from $pki, RBAC, plus the
# caller's FLAGs; waits up to TIMEOUT seconds for /readyz.
start_kube_apiserver() {
  local timeout=$1 bind=$2 advertise=$3 service_cidr=$4
  shift 4
  spawn kube-apiserver "$logs/kube-apiserver.log" "$APISERVER_BIN" \
    --bind-address "$bind" --advertise-address "$advertise" --secure-port "$APISERVER_PORT" \
    --etcd-servers "$(etcd_url)" \
    --cert-dir "$pki" --tls-cert-file "$pki/apiserver.crt" --tls-private-key-file "$pki/apiserver.key" \
    --client-ca-file "$pki/ca.crt" \
    --kubelet-client-certificate "$pki/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$pki/apiserver-kubelet-client.key" \
    --service-account-issuer https://kubernetes.default.svc.cluster.local \
    --service-account-key-file "$pki/sa.pub" --service-account-signing-key-file "$pki/sa.key" \
    --service-cluster-ip-range "$service_cidr" \
    --authorization-mode Node,RBAC --allow-privileged=true \
    --profiling=false --v=1 "$@"
  wait_for kube-apiserver apiserver_ready "$timeout"
}
