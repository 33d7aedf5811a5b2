#!/usr/bin/env bash
# For machines with internet access (it cannot run where no image can be pulled): the kind
# counterpart of `hack/cluster.sh up && hack/cluster.sh load-images && install-chart.sh local`.
# Creates a kind cluster, builds the images with hack/images/Dockerfile, loads them into the kind
# node and installs the chart with the same e2e values as the local cluster
# (hack/cluster/values-e2e.yaml). `tests/e2e/run.sh kind` calls its steps one by one (build,
# create, load; then installs the chart itself), as `tests/e2e/run.sh local` does with
# hack/cluster.sh.
#
#   hack/kind-up.sh            create (or reuse) the cluster, build, load, install
#   hack/kind-up.sh create     only create (or reuse) the cluster
#   hack/kind-up.sh build      only build the images (hack/images.sh --dockerfile)
#   hack/kind-up.sh load       only load the built images into the kind node
#   hack/kind-up.sh down       delete the kind cluster
#   hack/kind-up.sh env        prints `export KUBECONFIG=...`
#
# Needs: docker, kind (https://kind.sigs.k8s.io), kubectl; helm (else hack/install-helm.sh).
# Environment: KIND_CLUSTER_NAME (default kubeheal), KUBEHEAL_KIND_NODE_IMAGE (default: kind's
# own for its version; pin kindest/node:v1.33.x to match the local cluster's Kubernetes),
# KUBEHEAL_KIND_IMAGES (default: operator agent orders payments users loadgen),
# KUBEHEAL_KIND_KUBECONFIG (default ~/.cache/kubeheal/run/kind/kubeconfig).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
name=${KIND_CLUSTER_NAME:-kubeheal}
kubeconfig=${KUBEHEAL_KIND_KUBECONFIG:-$HOME/.cache/kubeheal/run/kind/kubeconfig}
read -r -a images <<<"${KUBEHEAL_KIND_IMAGES:-operator agent orders payments users loadgen}"
t0=$SECONDS
say() { echo "[kind-up $(printf '%3d' $((SECONDS - t0)))s] $*" >&2; }
fail() { say "FAILED: $*"; exit 1; }

cmd_env() { echo "export KUBECONFIG=$kubeconfig"; }

cmd_down() {
  kind delete cluster --name "$name" --kubeconfig "$kubeconfig"
}

need() {
  local c
  for c in "$@"; do command -v "$c" >/dev/null || fail "'$c' not found"; done
}

cmd_create() {
  need docker kind kubectl
  mkdir -p "$(dirname "$kubeconfig")"
  export KUBECONFIG=$kubeconfig
  if kind get clusters 2>/dev/null | grep -qxF "$name"; then
    say "kind cluster $name exists; reusing it"
    kind export kubeconfig --name "$name" --kubeconfig "$kubeconfig" >/dev/null
  else
    say "creating kind cluster $name"
    local node_image=()
    [[ -n ${KUBEHEAL_KIND_NODE_IMAGE:-} ]] && node_image=(--image "$KUBEHEAL_KIND_NODE_IMAGE")
    kind create cluster --name "$name" --kubeconfig "$kubeconfig" "${node_image[@]}" --wait 180s ||
      fail "kind create cluster (see the output above)"
  fi
}

cmd_build() {
  need docker
  say "building images with hack/images/Dockerfile: ${images[*]}"
  "$repo/hack/images.sh" --dockerfile "${images[@]}" || fail "docker build (hack/images.sh --dockerfile)"
}

cmd_load() {
  need docker kind
  say "loading the images into the kind node"
  local img
  for img in "${images[@]}"; do
    kind load docker-image --name "$name" "kubeheal/$img:dev" >/dev/null || fail "kind load of kubeheal/$img:dev"
  done
}

cmd_up() {
  say "step 1/4: cluster"; cmd_create
  say "step 2/4: images"; cmd_build
  say "step 3/4: load"; cmd_load
  say "step 4/4: installing the chart (hack/cluster/values-e2e.yaml)"
  KUBECONFIG=$kubeconfig "$repo/hack/cluster/install-chart.sh" kind
  say "ready in $((SECONDS - t0))s; use it: eval \"\$(hack/kind-up.sh env)\"; e2e: tests/e2e/run.sh kind"
}

case ${1:-up} in
  up) cmd_up ;;
  create) cmd_create ;;
  build) cmd_build ;;
  load) cmd_load ;;
  down) cmd_down ;;
  env) cmd_env ;;
  *) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
