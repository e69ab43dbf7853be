#!/usr/bin/env bash
# Container smoke test: the image's runtime stage, on a Debian base made with debootstrap (no
# registry needed) and a binary built on this host, runs migrate, collector, worker and query as
# containers against the test PostgreSQL; an event posted to the collector must become readable
# through the query API. Containers use the host network only (never a bridge, never an address
# outside loopback).
#
# Usage: container-smoke.sh base            build the base image (slow; test.sh starts it early)
#        container-smoke.sh run DATABASE_URL BINARY
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=infra/scripts/tools.sh
source "$root/infra/scripts/tools.sh"
base_image=tracker-base:bookworm
image=tracker:smoke

start_docker() {
  ensure_command dockerd docker.io
  docker info >/dev/null 2>&1 && return 0
  echo "starting dockerd (no bridge, no iptables)" >&2
  (dockerd --bridge=none --iptables=false --ip6tables=false >/tmp/tracker-dockerd.log 2>&1 &)
  for _ in $(seq 1 100); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "dockerd did not start; see /tmp/tracker-dockerd.log" >&2
  return 1
}

build_base() {
  start_docker
  docker image inspect "$base_image" >/dev/null 2>&1 && return 0
  ensure_command debootstrap debootstrap
  local rootfs
  rootfs=$(mktemp -d /tmp/tracker-rootfs.XXXXXX)
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/tmp/tracker-debootstrap.log 2>&1 \
    || { echo "debootstrap failed; see /tmp/tracker-debootstrap.log" >&2; rm -rf "$rootfs"; return 1; }
  tar -C "$rootfs" -c . | docker import - "$base_image" >/dev/null
  rm -rf "$rootfs"
}

run_smoke() {
  local database_url=$1 binary=$2 context names=()
  start_docker
  build_base
  context=$(mktemp -d /tmp/tracker-image.XXXXXX)
  mkdir -p "$context/dist/bin" "$context/dist/lib"
  cp "$binary" "$context/dist/bin/tracker"
  # A debug binary links the Swift runtime dynamically: ship the libraries it loads from the toolchain.
  ldd "$binary" | awk '/=> \// {print $3}' | grep -E '/swift/|libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime|libicu' \
    | while read -r lib; do cp -L "$lib" "$context/dist/lib/"; done || true
  cp "$root/infra/Dockerfile" "$context/Dockerfile"
  docker build --network host --target runtime-prebuilt --build-arg "RUNTIME_IMAGE=$base_image" \
    -t "$image" "$context" >/tmp/tracker-image-build.log 2>&1 \
    || { echo "image build failed; see /tmp/tracker-image-build.log" >&2; return 1; }
  rm -rf "$context"

  local ports=(18480 18481 18482)
  local common=(--network host --read-only --user 10001:10001 --cap-drop ALL --security-opt no-new-privileges
    -e "DATABASE_URL=$database_url" -e LOG_LEVEL=warning -e TRACKER_HOST=127.0.0.1)
  cleanup_containers() { for name in "${names[@]}"; do docker rm -f "$name" >/dev/null 2>&1 || true; done; }
  trap cleanup_containers RETURN
  docker run --rm "${common[@]}" "$image" migrate
  names+=(tracker-smoke-collector tracker-smoke-worker tracker-smoke-query)
  docker run -d --name tracker-smoke-collector "${common[@]}" -e "TRACKER_COLLECTOR_PORT=${ports[0]}" "$image" collector >/dev/null
  docker run -d --name tracker-smoke-query "${common[@]}" -e "TRACKER_QUERY_PORT=${ports[1]}" "$image" query >/dev/null
  docker run -d --name tracker-smoke-worker "${common[@]}" -e "TRACKER_WORKER_PORT=${ports[2]}" "$image" worker >/dev/null
  for port in "${ports[@]}"; do
    for _ in $(seq 1 150); do
      curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break
      sleep 0.2
    done
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null || { docker logs tracker-smoke-collector 2>&1 | tail -5; echo "port $port not ready" >&2; return 1; }
  done
  local id="smoke-$RANDOM-$RANDOM"
  curl -fsS "http://127.0.0.1:${ports[0]}/v1/track" -H 'content-type: application/json' \
    -d "{\"userId\":\"$id\",\"event\":\"Container Smoke\",\"messageId\":\"$id\"}" >/dev/null
  for _ in $(seq 1 150); do
    if curl -fs "http://127.0.0.1:${ports[1]}/v1/events?user_id=$id" | grep -q "\"message_id\":\"$id\""; then
      # The HEALTHCHECK command works inside the image too.
      docker exec tracker-smoke-query /usr/local/bin/tracker probe --url "http://127.0.0.1:${ports[1]}/healthz"
      echo "container smoke test: event $id posted to the collector container was read back from the query container"
      return 0
    fi
    sleep 0.2
  done
  echo "the posted event never became readable" >&2
  docker logs tracker-smoke-worker 2>&1 | tail -20 >&2
  return 1
}

case "${1:-}" in
  base) build_base ;;
  run) run_smoke "$2" "$3" ;;
  *) echo "usage: $0 base | run DATABASE_URL BINARY" >&2; exit 2 ;;
esac
