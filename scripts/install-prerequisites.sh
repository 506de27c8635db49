#!/usr/bin/env bash
# Installs the machine-level prerequisites the README lists, on Debian/Ubuntu, and makes sure a Docker
# engine answers. Safe to run again: it skips what is already there.
set -euo pipefail

need=()
command -v dockerd >/dev/null 2>&1 || need+=(docker.io)
command -v docker-registry >/dev/null 2>&1 || need+=(docker-registry)
[ -x /usr/bin/aws ] || need+=(awscli)
# No htpasswd (apache2-utils) or Python crypt: the stand-in hashes its registry password with bcryptjs (npm).
# The stand-in's tests build a tiny static test image with gcc.
command -v gcc >/dev/null 2>&1 || need+=(gcc libc6-dev)
command -v dash >/dev/null 2>&1 || need+=(dash)
# The workflow tests run the reusable workflow's OIDC-claims step, which reads JSON with jq (GitHub's runners have it).
command -v jq >/dev/null 2>&1 || need+=(jq)
# The local Redis sidecar image (scripts/build-redis-image.sh) is Debian's redis-server binary; app tests use it
# too. docker-compose runs compose.yaml (local development of the app with Redis).
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v docker-compose >/dev/null 2>&1 || need+=(docker-compose)
# The stand-in's local certificate authority (custom domains over TLS) signs with Debian's openssl.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The stand-in's conformance check reads AWS's service models from botocore. A current one from pip comes
# with this machine's python3; Debian's (2022) is the fallback and lacks newer model members.
python3 -c 'import botocore' >/dev/null 2>&1 || need+=(python3-botocore)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if ! docker info >/dev/null 2>&1; then
  echo "starting dockerd (vfs storage, no bridge networking: containers use --network host)"
  mkdir -p /var/log
  nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >/var/log/dockerd-ci.log 2>&1 &
  for _ in $(seq 1 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  docker info >/dev/null 2>&1 || { echo "dockerd did not start; see /var/log/dockerd-ci.log" >&2; exit 1; }
fi
echo "docker engine: $(docker version --format '{{.Server.Version}}')"
echo "botocore (AWS service models): $(python3 -c 'import botocore; print(botocore.__version__)')"
