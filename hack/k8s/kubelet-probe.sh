#!/usr/bin/env bash
# Probe (for the local cluster): can kubelet run on this VM against Debian's containerd 1.6 on cgroup v1
# with the cgroupfs driver? Starts a PRIVATE containerd (own root, state and socket) and one
# kubelet registered to the running hack/control-plane.sh plane, puts one static pod on it and
# reports what happened. Not a cluster: no scheduler, no controller-manager, no kube-proxy.
#
#   hack/k8s/kubelet-probe.sh run     # needs `hack/control-plane.sh up`, root, the kubelet binary
#   hack/k8s/kubelet-probe.sh stop    # stops the probe's kubelet and containerd, removes its pods
#
# Work dir: $KUBEHEAL_CP_DIR/kubelet-probe (logs/kubelet.log, logs/containerd.log).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
cp_dir=${KUBEHEAL_CP_DIR:-$HOME/.cache/kubeheal/run/control-plane}
w=$cp_dir/kubelet-probe
node=kubeheal-probe
cgroup_root=/kubeheal-probe
pause_image=docker.io/kubeheal/pause:dev

say() { echo "[kubelet-probe] $*" >&2; }
kc() { kubectl --kubeconfig "$cp_dir/admin.kubeconfig" --request-timeout 20s "$@"; }

stop_pid() {
  local f=$w/$1.pid pid
  [[ -f $f ]] || return 0
  pid=$(<"$f")
  if [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$w/"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

cmd_stop() {
  # Let kubelet tear the static pod down itself (that also removes its CNI netns and IP).
  if [[ -f $w/manifests/probe.yaml && -f $w/kubelet.pid ]]; then
    rm -f "$w/manifests/probe.yaml"
    for _ in $(seq 60); do
      [[ -z $(ctr -a "$w/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null) ]] && break
      sleep 0.5
    done
  fi
  stop_pid kubelet
  if [[ -S $w/containerd.sock ]]; then
    # Remove the pods' containers so no shim outlives the probe.
    local ids
    ids=$(ctr -a "$w/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null || true)
    for id in $ids; do ctr -a "$w/containerd.sock" -n k8s.io tasks kill -s KILL "$id" 2>/dev/null || true; done
    sleep 1
  fi
  stop_pid containerd
  # Leftover shims of OUR socket only (matched by its full path), ended by pid.
  local f
  for f in /proc/[0-9]*/cmdline; do
    tr '\0' ' ' 2>/dev/null <"$f" | grep -qF -- "-address $w/containerd.sock " || continue
    f=${f#/proc/}; kill -KILL "${f%/cmdline}" 2>/dev/null || true
  done
  ip link delete khprobe0 2>/dev/null || true
  # kubelet bind-mounts its root dir onto itself; containerd leaves shm and rootfs mounts.
  local m
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v w="$w/" 'index($2, w) == 1 {print $2}' /proc/mounts | sort -r)
  # Empty pod cgroups left under our cgroup root (rmdir only removes empty ones).
  find /sys/fs/cgroup/*/"${cgroup_root#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  kc delete node "$node" --ignore-not-found >/dev/null 2>&1 || true
  kc -n default delete pod "probe-$node" --ignore-not-found --grace-period 0 --force >/dev/null 2>&1 || true
  say "stopped"
}

# shellcheck source=hack/lib/ports.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/ports.sh"
# shellcheck source=hack/lib/containerd.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/containerd.sh"
# pki_new_key (ECDSA P-256, the key type of the control plane's own certificates)
# shellcheck source=hack/lib/pki.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/pki.sh"

cmd_run() {
  [[ $(id -u) == 0 ]] || { say "needs root"; exit 1; }
  local kubelet
  kubelet=$("$repo/hack/k8s/build.sh" kubelet)
  "$repo/hack/control-plane.sh" status >/dev/null || { say "control plane not up"; exit 1; }
  # shellcheck disable=SC1091  # written by hack/control-plane.sh up, not a source file
  source "$cp_dir/ports.env"
  cmd_stop 2>/dev/null
  mkdir -p "$w"/{logs,manifests,cni/net.d,kubelet,pod-logs,pki}
  local pki=$cp_dir/pki

  # Node identity for the Node authorizer: CN=system:node:<name>, O=system:nodes.
  pki_new_key "$w/pki/node.key"
  openssl req -new -key "$w/pki/node.key" -subj "/O=system:nodes/CN=system:node:$node" 2>/dev/null |
    openssl x509 -req -CA "$pki/ca.crt" -CAkey "$pki/ca.key" -CAcreateserial -days 30 \
      -extfile <(printf 'extendedKeyUsage=clientAuth\n') -out "$w/pki/node.crt" 2>/dev/null
  cat >"$w/kubelet.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:$APISERVER_PORT", certificate-authority: "$pki/ca.crt"}}]
users: [{name: u, user: {client-certificate: "$w/pki/node.crt", client-key: "$w/pki/node.key"}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
EOF

  write_containerd_config "$w/containerd.toml" "$w" "$pause_image"
  cat >"$w/cni/net.d/10-khprobe.conflist" <<'EOF'
{"cniVersion": "0.4.0", "name": "khprobe", "plugins": [
  {"type": "bridge", "bridge": "khprobe0", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.77.0/24"}]]}},
  {"type": "loopback"}]}
EOF
  say "starting containerd $(containerd --version | awk '{print $3}') on $w/containerd.sock"
  setsid containerd --config "$w/containerd.toml" </dev/null >"$w/logs/containerd.log" 2>&1 &
  echo $! >"$w/containerd.pid"
  for _ in $(seq 100); do ctr -a "$w/containerd.sock" version >/dev/null 2>&1 && break; sleep 0.2; done
  ctr -a "$w/containerd.sock" version >/dev/null || { say "containerd did not start"; tail "$w/logs/containerd.log"; exit 1; }
  say "importing $pause_image from docker into containerd (namespace k8s.io)"
  docker save kubeheal/pause:dev | ctr -a "$w/containerd.sock" -n k8s.io images import - >/dev/null

  # Pods' cgroups go under /kubeheal-probe in every v1 hierarchy so they stay apart from others.
  local h
  for h in /sys/fs/cgroup/*/; do
    [[ -L ${h%/} ]] && continue
    [[ $h == */unified/ ]] && continue
    mkdir -p "$h${cgroup_root#/}" 2>/dev/null || true
  done

  local port healthz node_ip
  # kubelet refuses a loopback node IP ("failed to validate nodeIP: nodeIP can't be loopback").
  node_ip=$(hostname -I | awk '{print $1}')
  port=$(free_port)
  healthz=$(free_port)
  cat >"$w/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: 127.0.0.1
port: $port
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $healthz
cgroupDriver: cgroupfs
cgroupRoot: $cgroup_root
failSwapOn: false
containerRuntimeEndpoint: unix://$w/containerd.sock
staticPodPath: $w/manifests
podLogsDir: $w/pod-logs
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
registerNode: true
EOF
  cat >"$w/manifests/probe.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: default}
spec:
  containers:
  - name: pause
    image: $pause_image
    imagePullPolicy: Never
EOF
  say "starting kubelet $("$kubelet" --version) as node $node (healthz 127.0.0.1:$healthz)"
  setsid "$kubelet" --config "$w/kubelet.yaml" --kubeconfig "$w/kubelet.kubeconfig" \
    --root-dir "$w/kubelet" --cert-dir "$w/pki" --hostname-override "$node" --node-ip "$node_ip" --v=2 \
    </dev/null >"$w/logs/kubelet.log" 2>&1 &
  echo $! >"$w/kubelet.pid"

  local i ready="" phase=""
  for i in $(seq 90); do
    sleep 2
    if ! [[ -d /proc/$(<"$w/kubelet.pid") ]]; then say "kubelet EXITED; last log lines:"; tail -n 30 "$w/logs/kubelet.log" >&2; return 1; fi
    ready=$(kc get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null || true)
    phase=$(kc -n default get pod "probe-$node" -o jsonpath='{.status.phase}' 2>/dev/null || true)
    [[ $ready == True && $phase == Running ]] && break
  done
  say "after $((i * 2))s: node Ready=$ready, static pod phase=$phase"
  say "containerd tasks (sandbox + container expected RUNNING):"
  ctr -a "$w/containerd.sock" -n k8s.io tasks ls >&2 || true
  kc get node "$node" -o wide 2>&1 || true
  kc -n default get pod "probe-$node" -o wide 2>&1 || true
  say "kubelet warnings/errors (first 40):"
  grep -E '^[EW][0-9]{4}' "$w/logs/kubelet.log" | head -n 40 >&2 || true
}

case ${1:-} in
  run) cmd_run ;;
  stop) cmd_stop ;;
  *) echo "usage: $0 run|stop" >&2; exit 2 ;;
esac
