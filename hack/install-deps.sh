#!/usr/bin/env bash
# Installs every Debian package listed in hack/deps/apt-packages.txt that is missing.
# Idempotent and quiet when everything is present; run as root (or with sudo available).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
list="$here/deps/apt-packages.txt"

mapfile -t wanted < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' "$list" | grep -v '^$')
missing=()
for pkg in "${wanted[@]}"; do
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
