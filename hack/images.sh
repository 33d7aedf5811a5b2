#!/usr/bin/env bash
# kubeheal's container images, kubeheal/<name>:dev, running as the non-root user 65532.
#
#   hack/images.sh [BUILD_DIR] [NAME...]   here, where no base image can be pulled: for each
#                                          binary of BUILD_DIR/bin (default build), a minimal root
#                                          filesystem (hack/images/build-rootfs.sh) imported with
#                                          `docker import`, saved as BUILD_DIR/images/<name>.tar, a
#                                          tarball `ctr -n k8s.io images import` (and `docker
#                                          load`) accepts. Prints each image's size. Binaries not
#                                          built yet are skipped with a message.
#   hack/images.sh --dockerfile [NAME...]  with a registry: `docker build` of hack/images/Dockerfile
#                                          (target NAME), compiling in debian:bookworm
#   hack/images.sh --list                  the table below: NAME BINARY COMPONENTS, one per line
#
# names: operator agent orders payments users loadgen pause (NAME: all of them)
# Needs a Docker engine: hack/docker-up.sh starts one.
set -euo pipefail
cd "$(dirname "$0")/.."

# The one table of images. COMPONENTS: the CMake components (KUBEHEAL_COMPONENTS) that build
# BINARY in the Dockerfile. Ports and entry points: the image's target in hack/images/Dockerfile.
# NAME     BINARY             COMPONENTS
images_table="
operator   kubeheal-operator  detectors;operator
agent      kubeheal-agent     agent
orders     orders             sample-services
payments   payments           sample-services
users      users              sample-services
loadgen    kubeheal-loadgen   sample-services
pause      kubeheal-pause     sample-services
"
declare -A binary_of=() components_of=()
all_names=()
while read -r name binary components; do
  [[ -n $name ]] || continue
  all_names+=("$name")
  binary_of[$name]=$binary
  components_of[$name]=$components
done <<<"$images_table"

# check_names NAME...: exits 1 on a name that is not in the table.
check_names() {
  local name
  for name in "$@"; do
    [[ -n ${binary_of[$name]:-} ]] || { echo "images: unknown image '$name' (known: ${all_names[*]})" >&2; exit 1; }
  done
}

need_docker() {
  if ! docker info >/dev/null 2>&1; then
    echo "images: no Docker engine answers; start one with hack/docker-up.sh" >&2
    exit 1
  fi
}

cmd_list() {
  local name
  for name in "${all_names[@]}"; do echo "$name ${binary_of[$name]} ${components_of[$name]}"; done
}

cmd_dockerfile() {
  local names=("$@") name
  [[ ${#names[@]} -gt 0 ]] || names=("${all_names[@]}")
  check_names "${names[@]}"
  need_docker
  for name in "${names[@]}"; do
    echo "images: docker build kubeheal/$name:dev (hack/images/Dockerfile, target $name)" >&2
    docker build -q -f hack/images/Dockerfile --target "$name" --build-arg "IMAGE=$name" \
      --build-arg "BINARY=${binary_of[$name]}" --build-arg "COMPONENTS=${components_of[$name]}" \
      -t "kubeheal/$name:dev" . >/dev/null || { echo "images: docker build of kubeheal/$name:dev failed" >&2; exit 1; }
  done
}

cmd_import() {
  local build_dir=${1:-build}
  shift || true
  local bin_dir="$build_dir/bin" out_dir="$build_dir/images" names=("$@") name
  [[ ${#names[@]} -gt 0 ]] || names=("${all_names[@]}")
  check_names "${names[@]}"
  need_docker
  [[ -d "$bin_dir" ]] || { echo "images: $bin_dir does not exist; build first (hack/build.sh $build_dir)" >&2; exit 1; }
  mkdir -p "$out_dir"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT

  local built=0 skipped=0 binary tag rootfs size tar_size
  printf '%-10s %-28s %10s %10s\n' IMAGE TAG SIZE TARBALL
  for name in "${names[@]}"; do
    binary=${binary_of[$name]}
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
}

case ${1:-} in
  --list) cmd_list ;;
  --dockerfile) shift; cmd_dockerfile "$@" ;;
  -h | --help) sed -n '2,/^set -euo/p' "$0" | sed -e '/^set -euo/d' -e 's/^# \{0,1\}//' >&2; exit 2 ;;
  *) cmd_import "$@" ;;
esac
