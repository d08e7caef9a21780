#!/usr/bin/env bash
# The compose test (ctest label `compose`, part of the test command): docker-compose.yml started
# for real and driven from the host through its published loopback ports only.
#
#   installs Debian's docker.io, docker-compose and debootstrap if missing; starts dockerd only if
#   none answers (and stops only the one it started); makes the base image debian:bookworm-slim
#   once, with debootstrap from the mirror apt uses (cached in the engine); builds every image
#   (layers cached between runs), `up -d`, waits for every service to be healthy, runs
#   tests/compose/, and `down -v` at the end. A failure prints each service's last log lines.
#
# The project is `xtrader-test`, published on 27000 (REST), 27001 (WebSocket) and 29090
# (Prometheus) so that it never touches an operator's deployment or the embedded exchange.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state=$root/.state/compose
mkdir -p "$state"
log() { echo "compose-test: $*"; }

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
missing=()
for p in docker.io docker-compose debootstrap; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null
fi
# Debian's client speaks to Debian's engine; another client earlier in PATH may not.
docker() { /usr/bin/docker "$@"; }

started_dockerd=""
if ! docker info >/dev/null 2>&1; then
    log "starting dockerd"
    $sudo dockerd >"$state/dockerd.log" 2>&1 &
    started_dockerd=$!
    for _ in $(seq 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
    docker info >/dev/null 2>&1 || { tail -20 "$state/dockerd.log"; exit 1; }
fi

# The Python builder of docker-compose, not whichever docker CLI comes first in PATH.
export COMPOSE_DOCKER_CLI_BUILD=0 COMPOSE_PROJECT_NAME=xtrader-test
export XTRADER_PUBLISH_REST=27000 XTRADER_PUBLISH_WS=27001 XTRADER_PUBLISH_DASHBOARD=29090
export XTRADER_ADMIN_TOKEN=compose-test-admin
compose() { docker-compose -f "$root/docker-compose.yml" "$@"; }

finish() {
    local rc=$?
    if ((rc != 0)); then
        for service in $(compose ps --services 2>/dev/null); do
            echo "----- $service: last log lines"
            compose logs --no-color --tail=30 "$service" 2>&1 | tail -30
        done
    fi
    compose down -v --remove-orphans >/dev/null 2>&1 || true
    if [[ -n $started_dockerd ]]; then
        $sudo kill "$started_dockerd" 2>/dev/null || true
        wait "$started_dockerd" 2>/dev/null || true
    fi
    exit "$rc"
}
trap finish EXIT

# The base image every Dockerfile stage starts from, made once from the mirror apt uses.
if ! docker image inspect debian:bookworm-slim >/dev/null 2>&1; then
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)
    [[ -n $mirror ]] || mirror=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
    log "making debian:bookworm-slim with debootstrap from $mirror"
    rootfs=$(mktemp -d "$state/rootfs.XXXX")
    $sudo debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 ||
        { tail -20 "$state/debootstrap.log"; exit 1; }
    $sudo rm -f "$rootfs/etc/apt/sources.list"
    if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
        $sudo cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    else
        $sudo cp /etc/apt/sources.list "$rootfs/etc/apt/sources.list"
    fi
    # The machine's own trust anchors (a TLS-inspecting proxy's, say): the builds then reach
    # Maven Central and npm as the host does (ca-certificates takes them in when installed).
    $sudo cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/" \
        2>/dev/null || true
    $sudo rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
    $sudo tar -C "$rootfs" -c . | docker import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
    $sudo rm -rf "$rootfs"
fi

start=$SECONDS
log "building the images"
timeout 3600 docker-compose -f "$root/docker-compose.yml" build -q
log "images built in $((SECONDS - start)) s; starting"
compose down -v --remove-orphans >/dev/null 2>&1 || true
compose up -d --no-build

# Every container healthy, within five minutes.
deadline=$((SECONDS + 300))
while :; do
    unhealthy=()
    for id in $(compose ps -q); do
        health=$(docker inspect -f '{{.Name}} {{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id" 2>/dev/null) ||
            continue  # recreated meanwhile
        [[ ${health#* } == healthy ]] || unhealthy+=("$health")
    done
    ((${#unhealthy[@]} == 0)) && break
    if ((SECONDS > deadline)); then
        log "not healthy after 5 minutes: ${unhealthy[*]}"
        exit 1
    fi
    sleep 3
done
log "every service healthy $((SECONDS - start)) s after the build started"

"${XTRADER_PYTHON:-python3}" -m pytest -q -p no:cacheprovider "$root/tests/compose"
log "passed in $((SECONDS - start)) s"
