# shellcheck shell=bash
# The command-line frame of hack/control-plane.sh and hack/cluster.sh: the usage text from the
# script's header, one command at a time per state dir, ports.env, the Kubernetes binaries.
# Needs hack/lib/log.sh (say, fail) sourced and dir (the state dir) set.
# shellcheck disable=SC2154  # dir, repo: set by the sourcing script, see above

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
