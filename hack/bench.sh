#!/usr/bin/env bash
# `make bench`: every benchmark, one after another, each printing its figures and its ratios
# against a baseline measured in the same run. Not part of `make test` (figures, not verdicts).
#   hack/bench.sh [detectors|agent|informer ...]   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
which=("$@")
[[ ${#which[@]} -gt 0 ]] || which=(detectors agent informer)
for b in "${which[@]}"; do
  echo; echo "==> benchmark: $b"
  case $b in
    detectors) hack/bench-detectors.sh ;;
    agent) hack/bench-agent.sh ;;
    informer)
      hack/build.sh build
      hack/control-plane.sh up
      eval "$(hack/control-plane.sh env)"
      build/bench/informer_memory_benchmark ;;
    *) echo "bench: unknown benchmark '$b' (detectors, agent, informer)" >&2; exit 2 ;;
  esac
done
