#!/usr/bin/env bash
# Builds a minimal root filesystem for one binary, for `docker import` (hack/images.sh) and for
# the last stage of hack/images/Dockerfile (COPY --from=build /rootfs /):
#   /usr/local/bin/<binary>            the program, debug info stripped
#   the shared libraries it links      found with ldd, at the paths ldd reports, and the
#                                      dynamic loader at the binary's PT_INTERP path
#   /etc/ssl/certs/ca-certificates.crt CA certificates (for TLS clients such as the operator)
#   /etc/passwd, /etc/group            root and the non-root user 65532 ("nonroot")
#   /etc/nsswitch.conf, /tmp (1777)
# usage: build-rootfs.sh BINARY ROOTFS_DIR
set -euo pipefail
binary=${1:?usage: build-rootfs.sh BINARY ROOTFS_DIR}
rootfs=${2:?usage: build-rootfs.sh BINARY ROOTFS_DIR}
[[ -x "$binary" ]] || { echo "build-rootfs: $binary is not an executable file" >&2; exit 1; }

rm -rf "$rootfs"
mkdir -p "$rootfs"/{usr/local/bin,etc/ssl/certs,tmp,home/nonroot}
chmod 1777 "$rootfs/tmp"
name=$(basename "$binary")
cp "$binary" "$rootfs/usr/local/bin/$name"
# Debug info is most of a RelWithDebInfo binary; the image does not need it.
if command -v strip >/dev/null; then strip --strip-debug "$rootfs/usr/local/bin/$name"; fi

copy_resolved() {  # copy_resolved PATH: the file behind PATH, stored at PATH inside the rootfs
  local path=$1
  mkdir -p "$rootfs$(dirname "$path")"
  cp -L "$path" "$rootfs$path"
}

# ldd lines: "libx.so => /path/libx.so (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)".
# A static binary makes ldd fail ("not a dynamic executable"): nothing to copy then.
if ldd_out=$(ldd "$binary" 2>/dev/null); then
  while read -r lib; do
    [[ -n "$lib" ]] && copy_resolved "$lib"
  done < <(awk '/=> \// { print $3 } /^[[:space:]]*\// { print $1 }' <<<"$ldd_out" | sort -u)
  if missing=$(grep 'not found' <<<"$ldd_out"); then
    echo "build-rootfs: $binary links libraries that are not installed:" >&2
    echo "$missing" >&2
    exit 1
  fi
fi

if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
  cp /etc/ssl/certs/ca-certificates.crt "$rootfs/etc/ssl/certs/"
else
  echo "build-rootfs: /etc/ssl/certs/ca-certificates.crt missing (install ca-certificates)" >&2
  exit 1
fi
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
nonroot:x:65532:
GROUP
echo "hosts: files dns" >"$rootfs/etc/nsswitch.conf"
# Docker and the kubelet bind-mount these; empty files give them a place to land.
: >"$rootfs/etc/hosts"
: >"$rootfs/etc/resolv.conf"
