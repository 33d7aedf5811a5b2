#!/usr/bin/env bash
# Installs the Debian packages of hack/deps/apt-packages.txt that are missing.
#   hack/install-deps.sh              every section
#   hack/install-deps.sh SECTION...   only those sections (e.g. `build image-rootfs`, as
#                                     hack/images/Dockerfile does)
# Idempotent and quiet when everything is present; run as root (or with sudo available).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/deps/apt-packages.txt"

# The packages of the sections named in $@ (all when none), each once, in file order.
packages() {
  awk -v want=" $* " '
    { sub(/#.*/, ""); gsub(/[[:space:]]/, "") }
    /^\[.*\]$/ { section = substr($0, 2, length($0) - 2); known[section] = 1; next }
    $0 == "" { next }
    (want == "  " || index(want, " " section " ")) && !seen[$0]++ { print }
    END {
      n = split(want, asked, " ")
      for (i = 1; i <= n; i++) if (!(asked[i] in known)) { print "unknown section: " asked[i] > "/dev/stderr"; exit 2 }
    }' "$list"
}

wanted_out=$(packages "$@") || { echo "install-deps: sections of $list: $(grep -o '^\[.*\]' "$list" | tr -d '[]' | paste -sd' ')" >&2; exit 2; }
mapfile -t wanted <<<"$wanted_out"
missing=()
for pkg in "${wanted[@]}"; do
  [[ -n $pkg ]] || continue
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! $sudo apt-get update -qq >/tmp/kubeheal-apt-update.log 2>&1; then
  echo "install-deps: apt-get update failed; see /tmp/kubeheal-apt-update.log" >&2
  exit 1
fi
if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/kubeheal-apt-install.log 2>&1; then
  echo "install-deps: apt-get install failed; last lines of /tmp/kubeheal-apt-install.log:" >&2
  tail -n 20 /tmp/kubeheal-apt-install.log >&2
  exit 1
fi
echo "install-deps: done" >&2
