# The two commands of the README: `make demo` and `make test`. Everything else is a step of them.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc)

.PHONY: all deps build test unit integration e2e bench demo soak images format lint clean

all: build

deps:
	@hack/install-deps.sh

build: deps
	@hack/build.sh $(BUILD_DIR)

# Unit, integration and end-to-end tests, then the unit tests again under ASan/UBSan.
test: deps
	@hack/test.sh

unit: build
	ctest --test-dir $(BUILD_DIR) -L unit --output-on-failure -j $(JOBS)

integration: build
	ctest --test-dir $(BUILD_DIR) -L integration --output-on-failure

# The seven end-to-end drills on the local single-node cluster (needs root; E2E_DRILLS="1 2").
e2e: build
	@hack/docker-up.sh && hack/images.sh $(BUILD_DIR)
	@KUBEHEAL_E2E_BUILD_DIR=$(BUILD_DIR) tests/e2e/run.sh local

bench: build
	@hack/bench.sh

images: build
	@hack/docker-up.sh && hack/images.sh $(BUILD_DIR)

demo: deps
	@hack/demo.sh

# SOAK_MINUTES (default 60) of normal traffic from a fresh install; fails on any healing action.
soak: deps
	@SOAK_MINUTES=$${SOAK_MINUTES:-60} tests/e2e/soak.sh local

# clang-format on every tracked C++ file (the lint stage fails on any file it would change).
format:
	@hack/checks/cpp-lint.sh --fix-format

# The lint stage of `make test` on its own: clang-format, clang-tidy, shellcheck.
lint:
	@hack/lint.sh all $(BUILD_DIR)

clean:
	rm -rf build build-asan build-tsan
