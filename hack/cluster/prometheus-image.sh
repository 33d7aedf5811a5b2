#!/usr/bin/env bash
# Builds kubeheal/prometheus:dev from the Prometheus binary of hack/cluster/build-prometheus.sh
# (no image can be pulled here, so the chart's prom/prometheus image is out of reach, and
# Debian's `prometheus` lacks Kubernetes service discovery) and saves it as
# IMAGES_DIR/prometheus.tar for `hack/cluster.sh load-images`. Same recipe as hack/images.sh:
# hack/images/build-rootfs.sh + `docker import`. The chart's values for the local cluster
# (hack/cluster/values-local.yaml) point prometheus.image at it.
#   usage: hack/cluster/prometheus-image.sh [IMAGES_DIR]     (default build/images)
# Needs a Docker engine (hack/docker-up.sh). KUBEHEAL_PROMETHEUS_BIN: use that binary instead.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
out_dir=${1:-$repo/build/images}
binary=${KUBEHEAL_PROMETHEUS_BIN:-$("$repo/hack/cluster/build-prometheus.sh")}
tag=kubeheal/prometheus:dev
[[ -x $binary ]] || { echo "prometheus-image: $binary is not an executable" >&2; exit 1; }
docker info >/dev/null 2>&1 || { echo "prometheus-image: no Docker engine; start one with hack/docker-up.sh" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$repo/hack/images/build-rootfs.sh" "$binary" "$work/rootfs"
# Prometheus runs as nobody (65534) in the chart and writes only to its /prometheus volume.
echo 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' >>"$work/rootfs/etc/passwd"
echo 'nogroup:x:65534:' >>"$work/rootfs/etc/group"
mkdir -p "$work/rootfs/prometheus" "$work/rootfs/etc/prometheus"
tar -C "$work/rootfs" --owner=0 --group=0 --numeric-owner --sort=name -cf - . |
  docker import \
    --change 'USER 65534:65534' \
    --change 'WORKDIR /prometheus' \
    --change 'ENTRYPOINT ["/usr/local/bin/prometheus"]' \
    --change 'CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]' \
    --change 'ENV PATH=/usr/local/bin' \
    --change 'LABEL org.opencontainers.image.title=kubeheal-prometheus' \
    --message "$("$binary" --version 2>&1 | head -n1) packaged by hack/cluster/prometheus-image.sh" \
    - "$tag" >/dev/null
docker image prune -f --filter "label=org.opencontainers.image.title=kubeheal-prometheus" >/dev/null 2>&1 || true
mkdir -p "$out_dir"
docker save "$tag" -o "$out_dir/prometheus.tar"
echo "prometheus-image: $tag ($("$binary" --version 2>&1 | head -n1)) saved as $out_dir/prometheus.tar" >&2
