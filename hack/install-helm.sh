#!/usr/bin/env bash
# Builds helm from its Go module (helm.sh/helm/v3/cmd/helm) through the Go module proxy and caches
# the binary at ~/.cache/kubeheal/bin/helm (no release downloads are reachable on CI machines).
#
#   hack/install-helm.sh            build once, then print the cached binary's path
#   hack/install-helm.sh --print    print the path if cached, exit 1 otherwise (never builds)
#
# Env: KUBEHEAL_HELM_VERSION (default below), GO (default /usr/local/go/bin/go, else `go` on PATH),
#      KUBEHEAL_CACHE_DIR (default ~/.cache/kubeheal), GOFLAGS (-p=1 is appended: the CPUs are shared).
# The build runs under a lock so that parallel callers (several ctest jobs) build it only once.
set -euo pipefail

# v3.19.5: its go.mod says `go 1.24.0`, which the installed Go 1.26 builds; no replace directives.
HELM_VERSION=${KUBEHEAL_HELM_VERSION:-v3.19.5}
CACHE_DIR=${KUBEHEAL_CACHE_DIR:-$HOME/.cache/kubeheal}
BIN_DIR=$CACHE_DIR/bin
HELM=$BIN_DIR/helm
STAMP=$BIN_DIR/.helm-version
# helm's Makefile stamps the Kubernetes version of its client-go into the binary; without it
# `helm template` and `helm lint` assume Kubernetes v1.20. v3.19.x uses client-go v0.34.
K8S_MINOR=${KUBEHEAL_HELM_K8S_MINOR:-34}
BUILD_ID="$HELM_VERSION k8s1.$K8S_MINOR"

cached() { [[ -x $HELM && -f $STAMP && "$(cat "$STAMP")" == "$BUILD_ID" ]]; }

if [[ ${1:-} == --print ]]; then
  cached && { echo "$HELM"; exit 0; }
  exit 1
fi

if cached; then
  echo "$HELM"
  exit 0
fi

GO=${GO:-/usr/local/go/bin/go}
if [[ ! -x $GO ]]; then
  GO=$(command -v go || true)
fi
if [[ -z $GO ]]; then
  echo "install-helm: no Go toolchain found (looked for /usr/local/go/bin/go and go on PATH)" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
exec 9>"$BIN_DIR/.helm.lock"
flock 9
if cached; then # another caller built it while we waited for the lock
  echo "$HELM"
  exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# One package at a time: the machine's CPUs are shared with other builds.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-p=1"
echo "install-helm: building helm $HELM_VERSION with $($GO version | awk '{print $3}') (GOFLAGS=$GOFLAGS); this takes a few minutes on a busy machine" >&2
start=$SECONDS
# Progress: a line every 30 s so that a caller polling the log sees the build is alive.
( while sleep 30; do echo "install-helm: still building ($((SECONDS - start))s)" >&2; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true; rm -rf "$work"' EXIT
GOBIN="$work" GOTOOLCHAIN=local CGO_ENABLED=0 \
  "$GO" install -trimpath -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
    -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$K8S_MINOR \
    -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$K8S_MINOR" \
  "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
kill $ticker 2>/dev/null || true
mv "$work/helm" "$HELM.tmp"
mv "$HELM.tmp" "$HELM"
echo "$BUILD_ID" >"$STAMP"
echo "install-helm: built $("$HELM" version --short) in $((SECONDS - start))s" >&2
echo "$HELM"
