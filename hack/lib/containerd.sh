# shellcheck shell=bash
# A private containerd for a kubelet: its own root, state, sockets and runc state, so it never
# meets Docker's containerd or another cluster's. Sourced by hack/cluster.sh and
# hack/k8s/kubelet-probe.sh.

# write_containerd_config FILE DIR PAUSE_IMAGE: the CRI config for a containerd keeping everything
# under DIR (root, state, containerd.sock, runc/, cni/net.d), with PAUSE_IMAGE as sandbox image.
write_containerd_config() {
  local file=$1 dir=$2 pause_image=$3
  cat >"$file" <<CONF
version = 2
root = "$dir/containerd/root"
state = "$dir/containerd/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  address = ""
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  # No registry is reachable here: the pause image is imported from a tarball.
  sandbox_image = "$pause_image"
  # Root on this VM lacks CAP_SYS_RESOURCE, so the sandbox's oom_score_adj -998 is refused
  # (runc: "failed to update /proc/self/oom_score_adj: Permission denied"); hack/k8s/NOTES.md.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        # Must match kubelet's cgroupDriver: cgroupfs (containerd 1.6 cannot report it).
        SystemdCgroup = false
        # runc state apart from any other containerd (docker's uses /run/containerd/runc).
        Root = "$dir/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
CONF
}
