#!/usr/bin/env bash
# Configures (once) and builds kubeheal into the given build directory (default: build).
# Extra arguments are passed to cmake at configure time, e.g. -DKUBEHEAL_SANITIZE=thread.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build}
shift || true
# ccache keyed on paths relative to the checkout, so a fresh clone elsewhere (CI) reuses objects.
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$HOME/.cache/kubeheal/ccache} CCACHE_BASEDIR=$PWD CCACHE_NOHASHDIR=1
  ccache --max-size=8G >/dev/null
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
if [[ ! -f "$dir/build.ninja" || $# -gt 0 ]]; then
  cmake -S . -B "$dir" -G Ninja "${launcher[@]}" "$@" >"$dir.configure.log" 2>&1 || {
    echo "build: cmake configure failed for $dir; see $dir.configure.log" >&2
    tail -n 30 "$dir.configure.log" >&2
    exit 1
  }
fi
cmake --build "$dir" -- -j "${JOBS:-$(nproc)}"
