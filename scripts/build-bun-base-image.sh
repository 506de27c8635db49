#!/usr/bin/env bash
# Builds the Bun base image `local/bun:<version>` without Docker Hub (unreachable here): a tiny rootfs holding
# the bun binary from the npm `bun` package, the glibc pieces it links against, dash as /bin/sh, CA
# certificates and a non-root `bun` user (uid 1000, as in oven/bun), imported with `docker import`.
# Skips the work when the image exists; `--force` rebuilds it. Prints the image size.
set -euo pipefail

usage() { echo "usage: $0 [--force]" >&2; }

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-bun-base-image: unknown argument '$arg'" >&2; usage; exit 2 ;;
  esac
done

repo_root="$(cd "$(dirname "$0")/.." && pwd)"
bun_pkg="$repo_root/node_modules/bun/package.json"
[ -f "$bun_pkg" ] || { echo "build-bun-base-image: $bun_pkg not found; run 'npm ci' first" >&2; exit 1; }
version="$(node -p 'require(process.argv[1]).version' "$bun_pkg")"
image="local/bun:$version"

size_of() { docker image inspect --format '{{.Size}}' "$1"; }
report() { echo "$image: $(size_of "$image") bytes ($(($(size_of "$image") / 1000000)) MB)"; }

if [ "$force" = false ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-bun-base-image: $image already exists (use --force to rebuild)"
  report
  exit 0
fi

# bun's postinstall moves the platform package's binary (@oven/bun-linux-x64/bin/bun here) into
# node_modules/bun/bin/bun.exe; look in both places.
bun_bin=""
for candidate in "$repo_root/node_modules/bun/bin/bun.exe" "$repo_root/node_modules/@oven/bun-linux-x64/bin/bun"; do
  if [ -x "$candidate" ]; then bun_bin="$candidate"; break; fi
done
[ -n "$bun_bin" ] || { echo "build-bun-base-image: no bun binary under node_modules; run 'npm ci'" >&2; exit 1; }
actual="$("$bun_bin" --version)"
[ "$actual" = "$version" ] || {
  echo "build-bun-base-image: $bun_bin reports version '$actual', expected '$version'" >&2
  exit 1
}

shell_bin="$(command -v dash)" || { echo "build-bun-base-image: dash not found (apt-get install dash)" >&2; exit 1; }
certs=/etc/ssl/certs/ca-certificates.crt
[ -f "$certs" ] || { echo "build-bun-base-image: $certs not found (apt-get install ca-certificates)" >&2; exit 1; }

rootfs="$(mktemp -d)"
trap 'rm -rf "$rootfs"' EXIT
# mktemp makes the directory 0700; as the image's / that would lock out the non-root user.
umask 022
chmod 0755 "$rootfs"

mkdir -p "$rootfs"/{bin,etc/ssl/certs,usr/local/bin,home/bun,tmp}
install -m 0755 "$bun_bin" "$rootfs/usr/local/bin/bun"
ln -s bun "$rootfs/usr/local/bin/bunx"
install -m 0755 "$shell_bin" "$rootfs/bin/sh"
install -m 0644 "$certs" "$rootfs/etc/ssl/certs/ca-certificates.crt"

# Copy every shared library (and the loader) that bun and dash need, at the same absolute paths.
copy_libs() {
  ldd "$1" | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$rootfs$lib" ] && continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}
copy_libs "$bun_bin"
copy_libs "$shell_bin"

cat >"$rootfs/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
bun:x:1000:1000:bun:/home/bun:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
EOF
cat >"$rootfs/etc/group" <<'EOF'
root:x:0:
bun:x:1000:
nogroup:x:65534:
EOF
echo "hosts: files dns" >"$rootfs/etc/nsswitch.conf"
chmod 1777 "$rootfs/tmp"
# Everything belongs to root except the bun user's home; without root we cannot chown, so all goes to root.
owners=(--numeric-owner)
if [ "$(id -u)" = 0 ]; then
  chown 1000:1000 "$rootfs/home/bun"
else
  echo "build-bun-base-image: not root, so /home/bun stays owned by root in the image" >&2
  owners+=(--owner=0 --group=0)
fi

# Fixed order, owners and times so the same inputs give the same layer.
tar -C "$rootfs" --sort=name "${owners[@]}" --mtime=@0 -c . |
  docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'WORKDIR /home/bun/app' \
    --change 'CMD ["bun"]' \
    --message "bun $version from the npm bun package" \
    - "$image" >/dev/null

# Prove the image runs before anyone builds on it.
docker run --rm --network host --user 1000:1000 "$image" bun --version >/dev/null
echo "build-bun-base-image: built $image"
report
