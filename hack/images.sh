#!/usr/bin/env bash
# Builds kubeheal's container images here, where no base image can be pulled: for each binary,
# a minimal root filesystem (hack/images/build-rootfs.sh) imported with `docker import`, tagged
# kubeheal/<name>:dev, running as user 65532, then saved as BUILD_DIR/images/<name>.tar, a
# tarball `ctr -n k8s.io images import` (and `docker load`) accepts. Prints each image's size.
# Binaries not built yet are skipped with a message.
#   usage: hack/images.sh [BUILD_DIR] [NAME...]     (default BUILD_DIR: build; NAME: all)
#   names: operator agent orders payments users loadgen pause
# Needs a Docker engine: hack/docker-up.sh starts one.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
shift || true
bin_dir="$build_dir/bin"
out_dir="$build_dir/images"

declare -A binary_of=(
  [operator]=kubeheal-operator [agent]=kubeheal-agent [orders]=orders [payments]=payments
  [users]=users [loadgen]=kubeheal-loadgen [pause]=kubeheal-pause)
all_names=(operator agent orders payments users loadgen pause)
names=("$@")
[[ ${#names[@]} -gt 0 ]] || names=("${all_names[@]}")

if ! docker info >/dev/null 2>&1; then
  echo "images: no Docker engine answers; start one with hack/docker-up.sh" >&2
  exit 1
fi
[[ -d "$bin_dir" ]] || { echo "images: $bin_dir does not exist; build first (hack/build.sh $build_dir)" >&2; exit 1; }
mkdir -p "$out_dir"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

built=0 skipped=0
printf '%-10s %-28s %10s %10s\n' IMAGE TAG SIZE TARBALL
for name in "${names[@]}"; do
  binary=${binary_of[$name]:-}
  if [[ -z "$binary" ]]; then
    echo "images: unknown image '$name' (known: ${all_names[*]})" >&2
    exit 1
  fi
  if [[ ! -x "$bin_dir/$binary" ]]; then
    echo "images: skipping $name: $bin_dir/$binary is not built" >&2
    skipped=$((skipped + 1))
    continue
  fi
  tag="kubeheal/$name:dev"
  rootfs="$work/$name"
  hack/images/build-rootfs.sh "$bin_dir/$binary" "$rootfs"
  # Files owned by root, numeric ids, reproducible order: the image does not depend on who
  # built it.
  tar -C "$rootfs" --owner=0 --group=0 --numeric-owner --sort=name -cf - . |
    docker import \
      --change 'USER 65532:65532' \
      --change 'WORKDIR /' \
      --change "ENTRYPOINT [\"/usr/local/bin/$binary\"]" \
      --change 'ENV PATH=/usr/local/bin' \
      --change "LABEL org.opencontainers.image.title=kubeheal-$name" \
      --message "kubeheal $name built by hack/images.sh" \
      - "$tag" >/dev/null
  # A fresh import leaves the previous image dangling; drop it so repeated builds do not pile up.
  docker image prune -f --filter "label=org.opencontainers.image.title=kubeheal-$name" >/dev/null 2>&1 || true
  docker save "$tag" -o "$out_dir/$name.tar"
  size=$(docker image inspect -f '{{.Size}}' "$tag")
  tar_size=$(stat -c %s "$out_dir/$name.tar")
  awk -v n="$name" -v t="$tag" -v s="$size" -v f="$tar_size" \
    'BEGIN { printf "%-10s %-28s %9.1fM %9.1fM\n", n, t, s / 1048576, f / 1048576 }'
  built=$((built + 1))
done
echo "images: built $built, skipped $skipped; tarballs in $out_dir" >&2
