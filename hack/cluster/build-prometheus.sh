#!/usr/bin/env bash
# Builds Prometheus (cmd/prometheus) from its Go module for the local cluster's bundled
# Prometheus and prints the binary's path. Why not Debian's `prometheus`: Debian builds it
# without Kubernetes service discovery ("field kubernetes_sd_configs not found in type
# config.ScrapeConfig"), which the chart's scrape config needs. Prometheus 2.53 picks its service
# discoveries at code-generation time, so every SD is compiled in (1253 packages): a cold build
# takes ~3 min on 2 quiet cores (longer beside other builds); later runs find the binary and
# return at once. The wrapper module copies Prometheus' own replace/exclude lines (Go ignores a
# dependency's), without which klog/v2 resolves to the real one and cmd/prometheus does not compile.
#   usage: hack/cluster/build-prometheus.sh      (cached in ~/.cache/kubeheal/prometheus/<v>/bin)
# Environment: KUBEHEAL_PROMETHEUS_VERSION (module version, default v0.53.4 = Prometheus 2.53.4,
# the chart's default image tag), KUBEHEAL_CACHE, GO, KUBEHEAL_GO_P (compile jobs, default 2).
set -euo pipefail
version=${KUBEHEAL_PROMETHEUS_VERSION:-v0.53.4}
cache=${KUBEHEAL_CACHE:-$HOME/.cache/kubeheal}
GO=${GO:-$(command -v go || echo /usr/local/go/bin/go)}
root=$cache/prometheus/$version
out=$root/bin/prometheus
log() { echo "[prometheus-build] $*" >&2; }
if [[ -x $out ]]; then echo "$out"; exit 0; fi
mkdir -p "$root/src" "$root/bin"
# One Go build at a time on this machine (shared with hack/k8s/build.sh).
exec 9>"$cache/.go-build.lock"
flock 9
if [[ -x $out ]]; then echo "$out"; exit 0; fi
src=$root/src
cat >"$src/go.mod" <<GOMOD
module kubeheal.local/prometheus-$version

go 1.22

require github.com/prometheus/prometheus $version
GOMOD
# The module's go.mod, from the module cache (go mod download puts it there).
upstream=$(cd "$src" && GOFLAGS=-mod=mod "$GO" mod download -json "github.com/prometheus/prometheus@$version" |
  sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
[[ -f $upstream ]] || { log "FAILED: go.mod of github.com/prometheus/prometheus@$version not found"; exit 1; }
awk '/^(replace|exclude) \(/ {block=1} block {print} block && /^\)/ {block=0; next}
     /^(replace|exclude) [^(]/ {print}' "$upstream" >>"$src/go.mod"
cat >"$src/tools.go" <<'GO'
//go:build tools

// Package tools pins cmd/prometheus so 'go mod tidy' keeps its dependencies.
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"
GO
start=$SECONDS
log "resolving github.com/prometheus/prometheus@$version (log: $root/build.log)"
(cd "$src" && GOFLAGS=-mod=mod "$GO" mod tidy) >"$root/build.log" 2>&1 || { tail -n 20 "$root/build.log" >&2; log "FAILED: go mod tidy"; exit 1; }
semver=${version#v0.}
log "building Prometheus 2.$semver (-p ${KUBEHEAL_GO_P:-2}); cold: ~3 min on a quiet machine"
(cd "$src" && GOFLAGS="-mod=mod -buildvcs=false" "$GO" build -p "${KUBEHEAL_GO_P:-2}" -trimpath \
  -tags netgo \
  -ldflags "-s -w -X github.com/prometheus/common/version.Version=2.$semver" \
  -o "$out.tmp" github.com/prometheus/prometheus/cmd/prometheus) >>"$root/build.log" 2>&1 ||
  { tail -n 20 "$root/build.log" >&2; log "FAILED: go build (see $root/build.log)"; exit 1; }
mv "$out.tmp" "$out"
log "built $out in $((SECONDS - start))s"
echo "$out"
