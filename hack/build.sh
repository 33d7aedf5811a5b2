#!/usr/bin/env bash
# Configures (once) and builds kubeheal into the given build directory (default: build).
# Extra arguments are passed to cmake at configure time, e.g. -DKUBEHEAL_SANITIZE=thread.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
if [[ ! -f "$dir/build.ninja" || $# -gt 0 ]]; then
  cmake -S . -B "$dir" -G Ninja "$@" >"$dir.configure.log" 2>&1 || {
    echo "build: cmake configure failed for $dir; see $dir.configure.log" >&2
    tail -n 30 "$dir.configure.log" >&2
    exit 1
  }
fi
cmake --build "$dir" -- -j "${JOBS:-$(nproc)}"
