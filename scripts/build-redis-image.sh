#!/usr/bin/env bash
# Builds the local Redis sidecar image `local/redis:<version>` without Docker Hub (unreachable here), the way
# build-bun-base-image.sh builds the Bun base: a tiny rootfs holding Debian's `redis-server` binary (apt
# package redis-server, which scripts/install-prerequisites.sh installs), the libraries it links against and
# dash as /bin/sh, imported with `docker import`. On AWS the sidecar is the public ECR image instead
# (public.ecr.aws/docker/library/redis, see docs/development.md).
#
# The container listens on $PORT (default 6379), the port the AWS stand-in gives each container on the host
# network, on loopback only, with no persistence: it is a cache.
# Skips the work when the image exists; `--force` rebuilds it. Prints the image name and size.
set -euo pipefail

usage() { echo "usage: $0 [--force]" >&2; }

force=false
for arg in "$@"; do
  case "$arg" in
    --force) force=true ;;
    -h | --help) usage; exit 0 ;;
    *) echo "build-redis-image: unknown argument '$arg'" >&2; usage; exit 2 ;;
  esac
done

redis_bin="$(command -v redis-server)" || {
  echo "build-redis-image: redis-server not found (apt-get install redis-server)" >&2
  exit 1
}
version="$("$redis_bin" --version | grep -oE 'v=[0-9.]+' | cut -d= -f2)"
[ -n "$version" ] || { echo "build-redis-image: cannot read the version of $redis_bin" >&2; exit 1; }
image="local/redis:$version"

size_of() { docker image inspect --format '{{.Size}}' "$1"; }
report() { echo "$image: $(size_of "$image") bytes ($(($(size_of "$image") / 1000000)) MB)"; }

if [ "$force" = false ] && docker image inspect "$image" >/dev/null 2>&1; then
  echo "build-redis-image: $image already exists (use --force to rebuild)"
  report
  exit 0
fi

shell_bin="$(command -v dash)" || { echo "build-redis-image: dash not found (apt-get install dash)" >&2; exit 1; }

rootfs="$(mktemp -d -t h-redis-rootfs.XXXXXX)"
trap 'rm -rf "$rootfs"' EXIT
umask 022
chmod 0755 "$rootfs"
mkdir -p "$rootfs"/{bin,etc,usr/local/bin,data,tmp}
# redis-server is the real binary (Debian's redis-check-* are links to it).
install -m 0755 "$(readlink -f "$redis_bin")" "$rootfs/usr/local/bin/redis-server"
install -m 0755 "$shell_bin" "$rootfs/bin/sh"

copy_libs() {
  ldd "$1" | grep -oE '/[^ ]+' | while read -r lib; do
    [ -e "$rootfs$lib" ] && continue
    mkdir -p "$rootfs$(dirname "$lib")"
    cp -L "$lib" "$rootfs$lib"
  done
}
copy_libs "$(readlink -f "$redis_bin")"
copy_libs "$shell_bin"

cat >"$rootfs/usr/local/bin/redis-sidecar" <<'SCRIPT'
#!/bin/sh
# PORT: the stand-in's host port for this container (6379 when unset, as with the public image).
exec /usr/local/bin/redis-server --port "${PORT:-6379}" --bind "${REDIS_BIND:-127.0.0.1}" \
  --save "" --appendonly no --dir /data "$@"
SCRIPT
chmod 0755 "$rootfs/usr/local/bin/redis-sidecar"
cat >"$rootfs/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
redis:x:999:999:redis:/data:/bin/sh
PASSWD
cat >"$rootfs/etc/group" <<'GROUP'
root:x:0:
redis:x:999:
GROUP
chmod 1777 "$rootfs/tmp"
owners=(--numeric-owner)
if [ "$(id -u)" = 0 ]; then
  chown 999:999 "$rootfs/data"
else
  owners+=(--owner=0 --group=0)
  chmod 1777 "$rootfs/data"
fi

tar -C "$rootfs" --sort=name "${owners[@]}" --mtime=@0 -c . |
  docker import \
    --change 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    --change 'USER 999:999' \
    --change 'WORKDIR /data' \
    --change 'ENTRYPOINT ["/usr/local/bin/redis-sidecar"]' \
    --message "redis-server $version from Debian's redis-server package" \
    - "$image" >/dev/null

# Prove the image runs before anyone deploys it.
docker run --rm --network host --entrypoint /usr/local/bin/redis-server "$image" --version >/dev/null
echo "build-redis-image: built $image"
report
