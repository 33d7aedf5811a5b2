#!/usr/bin/env bash
# The test command of the README (`make test`): every stage in order, each timed.
#   1. release build, unit tests
#   2. container images (Docker engine started if none answers), then integration tests
#      (real kube-apiserver, Prometheus, agents, containers; they start what they need)
#   3. unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer
# Set KUBEHEAL_SKIP_SANITIZE=1 to skip stage 3 during development (CI never sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
export JOBS=${JOBS:-$(nproc)}
t0=$SECONDS
stage() { echo; echo "==> [$((SECONDS - t0))s] $*"; }

stage "installing dependencies"
hack/install-deps.sh

stage "building (build/)"
hack/build.sh build

stage "unit tests"
ctest --test-dir build -L unit --output-on-failure -j "$JOBS"

stage "container engine and images (build/images/)"
hack/docker-up.sh
hack/images.sh build

if ctest --test-dir build -N -L integration | grep -q 'Total Tests: [1-9]'; then
  stage "integration tests"
  ctest --test-dir build -L integration --output-on-failure
fi

if [[ "${KUBEHEAL_SKIP_SANITIZE:-0}" != 1 ]]; then
  stage "unit tests under ASan+UBSan (build-asan/)"
  hack/build.sh build-asan -DCMAKE_BUILD_TYPE=Debug -DKUBEHEAL_SANITIZE=address,undefined \
    -DKUBEHEAL_UNIT_TESTS_ONLY=ON -DKUBEHEAL_BUILD_BENCHMARKS=OFF
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan -L unit --output-on-failure -j "$JOBS"
fi

stage "all test stages passed in $((SECONDS - t0))s"
