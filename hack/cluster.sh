#!/usr/bin/env bash
# A real single-node Kubernetes built from parts (kind cannot run here: no node image can be
# pulled). Interface: docs/local-cluster.md.
#
#   hack/cluster.sh up            start everything (idempotent; returns at once when all is up)
#   hack/cluster.sh down          stop exactly what `up` started, remove its pods, network and state
#   hack/cluster.sh status        every component and the node; exit 0 only when all are up, Ready
#   hack/cluster.sh env           prints `export KUBECONFIG=...`
#   hack/cluster.sh load-images [DIR|TARBALL...]
#                                 imports image tarballs (hack/images.sh output, default
#                                 build/images/*.tar) into containerd's k8s.io namespace
#
# Parts: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, kube-proxy (iptables) and
# kubelet from hack/k8s/build.sh; Debian's containerd + runc (cgroupfs) and CNI plugins (bridge,
# host-local, portmap, firewall, loopback); hack/cluster/cluster-dns.py as cluster DNS. Needs root.
#
# State: ${KUBEHEAL_CLUSTER_DIR:-~/.cache/kubeheal/run/cluster} (logs/ keeps every component's log).
# Networks: pods 10.246.0.0/24 on bridge khcluster0 (gateway + DNS 10.246.0.1), Services
# 10.247.0.0/16; every listening port is a random free one (recorded in ports.env). One cluster
# per machine (the bridge, the iptables rules and the pod CIDR are machine-wide).
#
# Environment: KUBEHEAL_CLUSTER_DIR, KUBEHEAL_IMAGES_DIR (default build/images),
# KUBEHEAL_CLUSTER_NODE_IP (default: the first non-loopback address of `hostname -I`).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=${KUBEHEAL_CLUSTER_DIR:-$HOME/.cache/kubeheal/run/cluster}
pki=$dir/pki
logs=$dir/logs
node=kubeheal-node
bridge=khcluster0
pod_cidr=10.246.0.0/24
cluster_cidr=10.246.0.0/16
gateway=10.246.0.1
service_cidr=10.247.0.0/16
service_ip=10.247.0.1
cgroup_root=/kubeheal-cluster
pause_image=docker.io/kubeheal/pause:dev
images_dir=${KUBEHEAL_IMAGES_DIR:-$repo/build/images}
components=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd cluster-dns kubelet kube-proxy)
t0=$SECONDS

log_tag=cluster log_clock=1
# say, fail, spawn, stop_process, free_port, load_ports, pki_*, kubeconfig_*, start_etcd,
# start_kube_apiserver, ...: hack/lib/local-plane.sh and the files it sources
# shellcheck source=hack/lib/local-plane.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/local-plane.sh"
# write_containerd_config
# shellcheck source=hack/lib/containerd.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/containerd.sh"

# Keeps every log, exit status and port of a failed attempt in logs/last-failure/ (the next `up`
# truncates the logs).
on_failure() {
  [[ -d $logs ]] || return 0
  rm -rf "$logs/last-failure"
  mkdir -p "$logs/last-failure"
  cp -p "$logs"/*.log "$dir"/*.exit "$dir"/*.pid "$dir/ports.env" "$logs/last-failure/" 2>/dev/null || true
  say "logs, pids and exit statuses of this attempt kept in $logs/last-failure/"
}

# ---------------------------------------------------------------- ports, addresses

choose_ports() {
  local names=(ETCD_CLIENT_PORT ETCD_PEER_PORT APISERVER_PORT KCM_PORT SCHEDULER_PORT KUBELET_PORT
    KUBELET_HEALTHZ_PORT PROXY_HEALTHZ_PORT PROXY_METRICS_PORT) n p taken=()
  : >"$dir/ports.env"
  for n in "${names[@]}"; do
    p=$(free_port "${taken[@]}") || fail cluster "choosing a free port for $n"
    taken+=("$p")
    echo "$n=$p" >>"$dir/ports.env"
  done
  echo "NODE_IP=$(node_ip)" >>"$dir/ports.env"
}

# kubelet refuses a loopback node IP, and pods must reach the apiserver at it.
node_ip() {
  local ip
  ip=${KUBEHEAL_CLUSTER_NODE_IP:-$(hostname -I 2>/dev/null | tr ' ' '\n' | grep -E '^[0-9.]+$' |
    grep -v -e '^127\.' -e '^172\.17\.' -e '^10\.246\.' | head -n1)}
  [[ -n $ip ]] || fail cluster "no non-loopback IPv4 address (set KUBEHEAL_CLUSTER_NODE_IP)"
  echo "$ip"
}

# ---------------------------------------------------------------- certificates, kubeconfigs

ensure_pki() {
  local ip=$1
  [[ -f $pki/.complete && $(cat "$pki/.node-ip" 2>/dev/null) == "$ip" ]] && return 0
  say "generating certificates (CA, apiserver, components, node) in $pki"
  pki_init kubeheal-cluster-ca
  pki_control_plane "IP:$ip,IP:$service_ip"
  pki_sign controller-manager "/CN=system:kube-controller-manager" "$pki_client_ext"
  pki_sign scheduler "/CN=system:kube-scheduler" "$pki_client_ext"
  pki_sign kube-proxy "/CN=system:kube-proxy" "$pki_client_ext"
  pki_sign kubelet "/O=system:nodes/CN=system:node:$node" "$pki_client_ext"
  # The kubelet's serving certificate (the apiserver's logs/exec calls); not verified by the
  # apiserver, but a stable one avoids kubelet writing a self-signed pair into its cert dir.
  pki_sign kubelet-serving "/CN=$node" "$(pki_server_ext "IP:$ip,IP:127.0.0.1,DNS:$node")"
  echo "$ip" >"$pki/.node-ip"
  touch "$pki/.complete"
}

# write_kubeconfig FILE CERT-NAME: client certificate $pki/CERT-NAME.crt as user CERT-NAME.
write_kubeconfig() {
  kubeconfig_write "$1" "$(apiserver_url)" kubeheal-local "$2" "$(kubeconfig_cert_fields "$2")"
}

kc() { kubectl --kubeconfig "$dir/admin.kubeconfig" --request-timeout 20s "$@"; }

# ---------------------------------------------------------------- health checks

# etcd_healthy, apiserver_ready: hack/lib/etcd-apiserver.sh
kcm_healthy() { [[ $(curl -sSk --max-time 2 "https://127.0.0.1:$KCM_PORT/healthz" 2>/dev/null) == ok ]]; }
scheduler_healthy() { [[ $(curl -sSk --max-time 2 "https://127.0.0.1:$SCHEDULER_PORT/healthz" 2>/dev/null) == ok ]]; }
containerd_healthy() { ctr -a "$dir/containerd.sock" version >/dev/null 2>&1; }
kubelet_healthy() { [[ $(curl -sS --max-time 2 "http://127.0.0.1:$KUBELET_HEALTHZ_PORT/healthz" 2>/dev/null) == ok ]]; }
proxy_healthy() { curl -fsS --max-time 2 "http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz" >/dev/null 2>&1; }
dns_healthy() { ss -Hlun "sport = :53" 2>/dev/null | grep -cF "$gateway:53" >/dev/null; }
node_ready() {
  [[ $(kc get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}' 2>/dev/null) == True ]]
}

# ---------------------------------------------------------------- components

binaries() {
  local_plane_binaries "building the Kubernetes binaries once (cold: ~30-40 min on 2 busy cores)" \
    kube-apiserver kube-controller-manager kube-scheduler kubelet kube-proxy etcd
  APISERVER_BIN=${k8s_bins[0]} KCM_BIN=${k8s_bins[1]} SCHEDULER_BIN=${k8s_bins[2]} KUBELET_BIN=${k8s_bins[3]}
  PROXY_BIN=${k8s_bins[4]} ETCD_BIN=${k8s_bins[5]}
}

check_host() {
  [[ $(id -u) == 0 ]] || { say "needs root (containerd, kubelet, iptables)"; exit 1; }
  local c
  for c in containerd runc ctr iptables ip openssl curl kubectl conntrack python3; do
    command -v "$c" >/dev/null || fail cluster "'$c' not found: install the Debian packages of hack/deps/apt-packages.txt"
  done
  for c in bridge host-local portmap firewall loopback; do
    [[ -x /usr/lib/cni/$c ]] || fail cluster "CNI plugin /usr/lib/cni/$c missing (Debian containernetworking-plugins)"
  done
}

start_apiserver() {
  say "starting kube-apiserver on 0.0.0.0:$APISERVER_PORT (advertised $NODE_IP, Service $service_ip)"
  # Bound to every address: pods reach it through the `kubernetes` Service, whose endpoint is the
  # advertised node address; the kubeconfigs use 127.0.0.1.
  start_kube_apiserver 180 0.0.0.0 "$NODE_IP" "$service_cidr" \
    --kubelet-preferred-address-types InternalIP --enable-admission-plugins NodeRestriction
}

start_controller_manager() {
  say "starting kube-controller-manager (health https://127.0.0.1:$KCM_PORT/healthz)"
  spawn kube-controller-manager "$logs/kube-controller-manager.log" "$KCM_BIN" \
    --kubeconfig "$dir/controller-manager.kubeconfig" \
    --authentication-kubeconfig "$dir/controller-manager.kubeconfig" \
    --authorization-kubeconfig "$dir/controller-manager.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$KCM_PORT" --cert-dir "$dir/controller-manager" \
    --leader-elect=false --use-service-account-credentials \
    --service-account-private-key-file "$pki/sa.key" --root-ca-file "$pki/ca.crt" \
    --cluster-signing-cert-file "$pki/ca.crt" --cluster-signing-key-file "$pki/ca.key" \
    --service-cluster-ip-range "$service_cidr" --profiling=false --v=1
  wait_for kube-controller-manager kcm_healthy 90
}

start_scheduler() {
  say "starting kube-scheduler (health https://127.0.0.1:$SCHEDULER_PORT/healthz)"
  spawn kube-scheduler "$logs/kube-scheduler.log" "$SCHEDULER_BIN" \
    --kubeconfig "$dir/scheduler.kubeconfig" \
    --authentication-kubeconfig "$dir/scheduler.kubeconfig" \
    --authorization-kubeconfig "$dir/scheduler.kubeconfig" \
    --bind-address 127.0.0.1 --secure-port "$SCHEDULER_PORT" --cert-dir "$dir/scheduler" \
    --leader-elect=false --profiling=false --v=1
  wait_for kube-scheduler scheduler_healthy 90
}

write_cni_config() {
  # bridge + host-local give pods an address on khcluster0 (the host routes to them);
  # portmap serves hostPort; firewall accepts the pods' traffic in FORWARD (Docker sets its
  # policy to DROP and br_netfilter sends bridged packets through it); loopback gives lo.
  cat >"$dir/cni/net.d/10-kubeheal.conflist" <<EOF
{
  "cniVersion": "0.4.0",
  "name": "kubeheal-cluster",
  "plugins": [
    {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "$dir/cni/ipam",
              "ranges": [[{"subnet": "$pod_cidr", "gateway": "$gateway"}]],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "firewall", "backend": "iptables"},
    {"type": "loopback"}
  ]
}
EOF
}

# The bridge exists before the first pod so cluster DNS can listen on its gateway address.
ensure_bridge() {
  if ! ip link show "$bridge" >/dev/null 2>&1; then
    ip link add "$bridge" type bridge || fail cluster "creating bridge $bridge"
  fi
  ip addr show dev "$bridge" | grep -cF "inet $gateway/" >/dev/null || ip addr add "$gateway/24" dev "$bridge"
  ip link set "$bridge" up
  sysctl -qw net.ipv4.ip_forward=1
}

start_containerd() {
  mkdir -p "$dir/containerd" "$dir/runc" "$dir/cni/net.d" "$dir/cni/ipam"
  write_containerd_config "$dir/containerd.toml" "$dir" "$pause_image"
  write_cni_config
  say "starting containerd $(containerd --version | awk '{print $3}') on $dir/containerd.sock"
  spawn containerd "$logs/containerd.log" containerd --config "$dir/containerd.toml"
  wait_for containerd containerd_healthy 30
  if ! ctr -a "$dir/containerd.sock" -n k8s.io images ls -q | grep -cxF "$pause_image" >/dev/null; then
    [[ -f $images_dir/pause.tar ]] ||
      fail containerd "sandbox image $pause_image missing and $images_dir/pause.tar not found: build it with hack/docker-up.sh && hack/images.sh BUILD_DIR pause (or set KUBEHEAL_IMAGES_DIR)"
    say "importing $images_dir/pause.tar (sandbox image $pause_image)"
    ctr -a "$dir/containerd.sock" -n k8s.io images import "$images_dir/pause.tar" >>"$logs/containerd.log" 2>&1 ||
      fail containerd "importing $images_dir/pause.tar"
  fi
}

start_dns() {
  say "starting cluster DNS on $gateway:53 (*.svc.cluster.local)"
  # Debian's interpreter when there is one: a pyenv shim is a chain of bash scripts that exec.
  local python=/usr/bin/python3
  [[ -x $python ]] || python=$(command -v python3)
  spawn cluster-dns "$logs/cluster-dns.log" "$python" "$repo/hack/cluster/cluster-dns.py" --listen "$gateway" --port 53 \
    --api "$(apiserver_url)" --ca "$pki/ca.crt" --cert "$pki/admin.crt" --key "$pki/admin.key"
  wait_for cluster-dns dns_healthy 20
}

start_kubelet() {
  local h
  # Pods' cgroups under /kubeheal-cluster in every v1 hierarchy, apart from everything else.
  for h in /sys/fs/cgroup/*/; do
    [[ -L ${h%/} || $h == */unified/ ]] && continue
    mkdir -p "$h${cgroup_root#/}" 2>/dev/null || true
  done
  mkdir -p "$dir/kubelet" "$dir/pod-logs" "$dir/manifests"
  cat >"$dir/kubelet.yaml" <<EOF
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
port: $KUBELET_PORT
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: $KUBELET_HEALTHZ_PORT
tlsCertFile: $pki/kubelet-serving.crt
tlsPrivateKeyFile: $pki/kubelet-serving.key
cgroupDriver: cgroupfs
cgroupRoot: $cgroup_root
failSwapOn: false
containerRuntimeEndpoint: unix://$dir/containerd.sock
staticPodPath: $dir/manifests
podLogsDir: $dir/pod-logs
clusterDNS: [$gateway]
clusterDomain: cluster.local
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $pki/ca.crt}
authorization: {mode: Webhook}
evictionHard: {memory.available: 50Mi, nodefs.available: 1%, imagefs.available: 1%, nodefs.inodesFree: 1%}
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
serializeImagePulls: false
maxPods: 60
registerNode: true
EOF
  say "starting kubelet as node $node ($NODE_IP:$KUBELET_PORT)"
  spawn kubelet "$logs/kubelet.log" "$KUBELET_BIN" --config "$dir/kubelet.yaml" --kubeconfig "$dir/kubelet.kubeconfig" \
    --root-dir "$dir/kubelet" --cert-dir "$dir/kubelet-pki" --hostname-override "$node" \
    --node-ip "$NODE_IP" --v=1
  wait_for kubelet kubelet_healthy 60
}

start_proxy() {
  cat >"$dir/kube-proxy.yaml" <<EOF
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
clientConnection: {kubeconfig: $dir/kube-proxy.kubeconfig}
mode: iptables
hostnameOverride: $node
clusterCIDR: $cluster_cidr
healthzBindAddress: 127.0.0.1:$PROXY_HEALTHZ_PORT
metricsBindAddress: 127.0.0.1:$PROXY_METRICS_PORT
# Every connection to a Service is masqueraded: without it a pod reaching a Service backed by a
# pod on the same bridge gets the reply straight from the backend's address and drops it.
iptables: {masqueradeAll: true}
# NodePorts on the node IP only (not on every local address, loopback and docker0 included).
nodePortAddresses: [primary]
# Leave the machine's conntrack sysctls alone (a VM may refuse them).
conntrack: {maxPerCore: 0, tcpEstablishedTimeout: 0s, tcpCloseWaitTimeout: 0s}
EOF
  say "starting kube-proxy (iptables mode, health http://127.0.0.1:$PROXY_HEALTHZ_PORT/healthz)"
  spawn kube-proxy "$logs/kube-proxy.log" "$PROXY_BIN" --config "$dir/kube-proxy.yaml" --v=1
  wait_for kube-proxy proxy_healthy 60
}

# ---------------------------------------------------------------- commands

all_running() {
  local c
  for c in "${components[@]}"; do is_running "$c" || return 1; done
}

print_where() {
  cat <<EOF
cluster ready: node $node ($NODE_IP), pods $pod_cidr, Services $service_cidr, DNS $gateway
  kubeconfig   $dir/admin.kubeconfig      use it: eval "\$(hack/cluster.sh env)"
  apiserver    $(apiserver_url)
  logs         $logs/<component>.log
  images       hack/cluster.sh load-images   (imports $images_dir/*.tar; pods: imagePullPolicy IfNotPresent/Never)
EOF
}

cmd_up() {
  check_host
  mkdir -p "$dir" "$logs"
  if all_running && [[ -f $dir/ports.env ]]; then
    load_ports
    if apiserver_ready && node_ready; then
      print_where
      return 0
    fi
  fi
  # Anything half-up from an earlier run goes first: a fresh cluster every time.
  cmd_down quiet
  mkdir -p "$dir" "$logs"
  say "step 1/9: binaries"
  binaries
  choose_ports
  load_ports
  say "step 2/9: certificates and kubeconfigs (node IP $NODE_IP)"
  ensure_pki "$NODE_IP"
  local who
  for who in admin controller-manager scheduler kube-proxy kubelet; do write_kubeconfig "$dir/$who.kubeconfig" "$who"; done
  say "step 3/9: etcd"
  start_etcd kubeheal-cluster
  say "step 4/9: kube-apiserver"
  start_apiserver
  say "step 5/9: kube-controller-manager, kube-scheduler"
  start_controller_manager
  start_scheduler
  say "step 6/9: network (bridge $bridge $gateway/24) and containerd"
  ensure_bridge
  start_containerd
  say "step 7/9: cluster DNS"
  start_dns
  say "step 8/9: kubelet"
  local kubelet_start=$SECONDS
  start_kubelet
  say "step 9/9: kube-proxy; waiting for node $node to be Ready"
  start_proxy
  local i
  for ((i = 0; i < 120; i++)); do
    node_ready && break
    ! has_exited kubelet || fail kubelet "exited while registering the node ($(exit_reason kubelet))"
    sleep 0.5
  done
  node_ready || fail kubelet "node $node not Ready after 60 s ($(kc get node "$node" -o jsonpath='{.status.conditions[?(@.type=="Ready")].message}' 2>&1))"
  say "node $node Ready $((SECONDS - kubelet_start))s after kubelet started"
  # The default ServiceAccount appears shortly after the namespace; pods need it to be admitted.
  for ((i = 0; i < 60; i++)); do
    kc -n default get serviceaccount default >/dev/null 2>&1 && break
    sleep 0.5
  done
  print_where
  say "up in $((SECONDS - t0))s"
}

# Network namespaces of our pod sandboxes (containerd 1.6 puts them in /var/run/netns).
sandbox_netns() {
  local id
  for id in $(ctr -a "$dir/containerd.sock" -n k8s.io containers ls -q 2>/dev/null); do
    ctr -a "$dir/containerd.sock" -n k8s.io containers info "$id" 2>/dev/null |
      python3 -c 'import json,sys
for ns in json.load(sys.stdin).get("Spec",{}).get("linux",{}).get("namespaces",[]):
    if ns.get("type")=="network" and ns.get("path","").startswith("/var/run/netns/"): print(ns["path"])' 2>/dev/null || true
  done | sort -u
}

# Removes the iptables rules the CNI plugins left for our pod range (the kubelet tears pods
# down through CNI when it can; this catches what a killed kubelet left behind).
clean_cni_iptables() {
  local chain rule
  for chain in CNI-FORWARD CNI-ADMIN; do
    iptables -S "$chain" 2>/dev/null | grep -F "${pod_cidr%.0/24}." | sed 's/^-A /-D /' |
      while read -r rule; do eval "iptables $rule" 2>/dev/null || true; done || true
  done
  # The firewall plugin's chains, once nothing but its own admin jump is left in them.
  if [[ $(iptables -S CNI-FORWARD 2>/dev/null | grep -vc -e '^-N' -e '-j CNI-ADMIN') == 0 &&
    $(iptables -S CNI-ADMIN 2>/dev/null | grep -vc '^-N') == 0 ]]; then
    iptables -D FORWARD -m comment --comment "CNI firewall plugin rules" -j CNI-FORWARD 2>/dev/null || true
    iptables -F CNI-FORWARD 2>/dev/null || true
    iptables -X CNI-FORWARD 2>/dev/null || true
    iptables -X CNI-ADMIN 2>/dev/null || true
  fi
}

# The chains the kubelet (and kube-proxy's canaries) create, which `kube-proxy --cleanup` keeps.
clean_kubelet_iptables() {
  local ipt table chain
  for ipt in iptables ip6tables; do
    $ipt -D INPUT -j KUBE-FIREWALL 2>/dev/null || true
    $ipt -D OUTPUT -j KUBE-FIREWALL 2>/dev/null || true
    for table in filter nat mangle; do
      for chain in KUBE-FIREWALL KUBE-KUBELET-CANARY KUBE-PROXY-CANARY KUBE-IPTABLES-HINT KUBE-MARK-MASQ; do
        $ipt -t "$table" -F "$chain" 2>/dev/null || true
        $ipt -t "$table" -X "$chain" 2>/dev/null || true
      done
    done
  done
}

cmd_down() {
  local quiet=${1:-}
  [[ -d $dir ]] || return 0
  if [[ -f $dir/ports.env ]]; then load_ports; fi
  # 1. No new pods: stop the scheduler and the controllers, then let the kubelet tear every pod
  #    down itself (that runs CNI DEL: addresses, veths, netns and firewall rules go away).
  stop_process kube-scheduler
  stop_process kube-controller-manager
  if is_running kubelet && is_running kube-apiserver; then
    say "deleting all pods (the kubelet removes their containers and network)"
    kc delete pods --all --all-namespaces --grace-period 0 --force --wait=false >/dev/null 2>&1 || true
    local i
    for ((i = 0; i < 60; i++)); do
      [[ -z $(ctr -a "$dir/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null) ]] && break
      sleep 0.5
    done
  fi
  stop_process kubelet
  stop_process kube-proxy
  if [[ -x ${PROXY_BIN:-} ]] || PROXY_BIN=$("$repo/hack/k8s/build.sh" --path kube-proxy 2>/dev/null); then
    # Removes the KUBE-* chains; --cleanup touches only kube-proxy's own rules.
    if [[ -x $PROXY_BIN ]]; then "$PROXY_BIN" --cleanup >>"$logs/kube-proxy.log" 2>&1 || true; fi
  fi
  stop_process cluster-dns
  # 2. Whatever the kubelet did not remove: kill the tasks, unmount their network namespaces.
  local netns=() id m
  if is_running containerd; then
    mapfile -t netns < <(sandbox_netns)
    for id in $(ctr -a "$dir/containerd.sock" -n k8s.io tasks ls -q 2>/dev/null); do
      ctr -a "$dir/containerd.sock" -n k8s.io tasks kill -s KILL "$id" >/dev/null 2>&1 || true
    done
    sleep 1
  fi
  stop_process containerd
  # Shims of OUR containerd only (their command line names its socket under the state dir).
  sweep_leftovers containerd-shim
  for m in "${netns[@]}"; do
    [[ -n $m ]] || continue
    umount "$m" 2>/dev/null || true
    rm -f "$m"
  done
  clean_cni_iptables
  clean_kubelet_iptables
  # 3. The control plane.
  stop_process kube-apiserver
  stop_process etcd
  sweep_leftovers etcd kube-apiserver kube-controller kube-scheduler kubelet kube-proxy containerd
  # 4. Network and mounts: the bridge, then every mount under the state dir (kubelet bind-mounts
  #    its root dir onto itself; pods leave tmpfs secrets; containerd leaves shm and rootfs).
  ip link delete "$bridge" 2>/dev/null || true
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir/" 'index($2, d) == 1 {print $2}' /proc/mounts | sort -r)
  find /sys/fs/cgroup/*/"${cgroup_root#/}" -depth -type d -exec rmdir {} + 2>/dev/null || true
  if awk -v d="$dir/" 'index($2, d) == 1' /proc/mounts | grep -c . >/dev/null; then
    say "WARNING: mounts under $dir remain; state kept"
    return 0
  fi
  # 5. State. Kept: logs (for a look after a failure; the next `up` truncates them) and pki/
  #    (the next `up` reuses the certificates when the node IP is the same).
  find "$dir" -mindepth 1 -maxdepth 1 ! -name logs ! -name pki ! -name .lock -exec rm -rf {} +
  [[ -n $quiet ]] || say "down: stopped and removed (logs kept in $logs)"
}

cmd_status() {
  local ok=0 c
  if [[ ! -f $dir/ports.env ]]; then
    echo "cluster: not up ($dir)"
    return 3
  fi
  load_ports
  for c in "${components[@]}"; do
    if is_running "$c"; then
      printf '%-24s running  pid %-7s log %s\n' "$c" "$(<"$(pid_file "$c")")" "$logs/$c.log"
    else
      printf '%-24s DOWN              log %s\n' "$c" "$logs/$c.log"
      ok=3
    fi
  done
  if apiserver_ready && node_ready; then
    echo "node $node: Ready ($NODE_IP)"
  else
    echo "node $node: NOT Ready"
    ok=3
  fi
  echo "kubeconfig: $dir/admin.kubeconfig"
  return $ok
}

cmd_env() {
  echo "export KUBECONFIG=$dir/admin.kubeconfig"
  echo "export KUBEHEAL_CLUSTER_DIR=$dir"
}

cmd_load_images() {
  is_running containerd || fail containerd "not running (run 'hack/cluster.sh up')"
  local sources=("$@") files=() s f
  [[ ${#sources[@]} -gt 0 ]] || sources=("$images_dir")
  for s in "${sources[@]}"; do
    if [[ -d $s ]]; then
      for f in "$s"/*.tar; do [[ -f $f ]] && files+=("$f"); done
    elif [[ -f $s ]]; then
      files+=("$s")
    else
      fail cluster "load-images: $s is neither a directory nor a file"
    fi
  done
  [[ ${#files[@]} -gt 0 ]] ||
    fail cluster "load-images: no *.tar in ${sources[*]} (build them: hack/docker-up.sh && hack/images.sh BUILD_DIR)"
  for f in "${files[@]}"; do
    local start=$SECONDS out
    out=$(ctr -a "$dir/containerd.sock" -n k8s.io images import "$f" 2>&1) ||
      { echo "$out" >&2; fail containerd "importing $f"; }
    say "imported $f ($(awk '/^unpacking/ {print $2}' <<<"$out" | tr '\n' ' ')) in $((SECONDS - start))s"
  done
}

main() {
  local cmd=${1:-}
  shift || true
  case $cmd in
    up | down | status | env | load-images) ;;
    *) usage ;;
  esac
  mkdir -p "$dir"
  if [[ $cmd != env && $cmd != status ]]; then lock_state_dir; fi
  case $cmd in
    up) cmd_up ;;
    down) cmd_down ;;
    status) cmd_status ;;
    env) cmd_env ;;
    load-images) cmd_load_images "$@" ;;
  esac
}

main "$@"
