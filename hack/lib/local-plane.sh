# shellcheck shell=bash
# What hack/control-plane.sh and hack/cluster.sh share: this file sources the pieces
#   log.sh             say, fail STEP MESSAGE [LOGFILE] ("FAILED: STEP: MESSAGE"; on_failure hook)
#   processes.sh       spawn, is_running, stop_process, has_exited, exit_reason, sweep_leftovers
#   ports.sh           port_in_use, port_listening, free_port [TAKEN...]
#   pki.sh             pki_init, pki_sign, pki_control_plane (ECDSA P-256)
#   kubeconfig.sh      kubeconfig_write, kubeconfig_cert_fields
#   etcd-apiserver.sh  etcd_url, apiserver_url, etcd_healthy, apiserver_ready, wait_for,
#                      start_etcd, start_kube_apiserver
# and holds the command-line frame: the usage text from the script's header, one command at a
# time per state dir, ports.env, the Kubernetes binaries. The caller sets repo, dir (the state
# dir), logs, pki and log_tag (see each file) before calling anything.
# shellcheck disable=SC2154  # dir, repo: set by the sourcing script, see above

lib_dir=$(dirname "${BASH_SOURCE[0]}")
# shellcheck source=hack/lib/log.sh
source "$lib_dir/log.sh"
# shellcheck source=hack/lib/processes.sh
source "$lib_dir/processes.sh"
# shellcheck source=hack/lib/ports.sh
source "$lib_dir/ports.sh"
# shellcheck source=hack/lib/pki.sh
source "$lib_dir/pki.sh"
# shellcheck source=hack/lib/kubeconfig.sh
source "$lib_dir/kubeconfig.sh"
# shellcheck source=hack/lib/etcd-apiserver.sh
source "$lib_dir/etcd-apiserver.sh"

# usage: the script's header comment (line 2 to `set -euo pipefail`) on stderr; exits 2.
usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2
  exit 2
}

# lock_state_dir: waits until no other command of this script holds $dir, then holds it until
# the script exits (file descriptor 8; spawn keeps it from the programs it starts).
lock_state_dir() {
  exec 8>"$dir/.lock"
  flock 8
}

# load_ports: the ports (and addresses) chosen by the last `up`, from $dir/ports.env.
load_ports() {
  [[ -f $dir/ports.env ]] || fail ports "$dir/ports.env missing (run 'hack/$(basename "$0") up' first)"
  # shellcheck disable=SC1091  # written by choose_ports of the same script, not a source file
  source "$dir/ports.env"
}

# local_plane_binaries COLD_NOTE NAME...: the paths of the Kubernetes binaries NAME..., in
# k8s_bins (same order), built by hack/k8s/build.sh when missing (saying COLD_NOTE first).
local_plane_binaries() {
  local note=$1 paths b missing=0
  shift
  for b in $("$repo/hack/k8s/build.sh" --path "$@"); do [[ -x $b ]] || missing=1; done
  ((missing == 0)) || say "$note"
  paths=$("$repo/hack/k8s/build.sh" "$@") || fail binaries "building $* (hack/k8s/build.sh)"
  # shellcheck disable=SC2034  # k8s_bins is this function's result, read by the caller
  mapfile -t k8s_bins <<<"$paths"
}
