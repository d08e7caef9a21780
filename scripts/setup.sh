#!/usr/bin/env bash
# Installs everything xtrader needs to build and test, from Debian's packages; with --build-only
# what compiling xtraderd needs and nothing more (the image's build stage, deploy/docker/).
# Idempotent: when every package is already installed it changes nothing and does not touch the
# network.
set -euo pipefail

packages=(
    build-essential cmake ninja-build pkg-config git xz-utils
    libboost1.81-dev          # Asio / Beast (headers)
    nlohmann-json3-dev libspdlog-dev libtomlplusplus-dev libsqlite3-dev
    libhiredis-dev libpqxx-dev  # the persistence pipeline: Redis Streams -> PostgreSQL
    librdkafka-dev            # the market-data pipeline: Kafka
    librabbitmq-dev           # the notification pipeline: RabbitMQ (rabbitmq-c)
    libssl-dev                # SHA-256 of API keys, random secrets (OpenSSL libcrypto)
)
if [[ ${1:-} != --build-only ]]; then
    packages+=(
        clang-format
        libgtest-dev libgmock-dev libbenchmark-dev
        python3 python3-pytest python3-yaml   # the integration tests drive real daemons from pytest
        python3-pika                          # ... and read RabbitMQ queues as a client would
        wrk                                   # the REST benchmark
        clang libclang-rt-14-dev              # the libFuzzer targets (scripts/build.sh fuzz)
        python3-venv                          # schemathesis, from PyPI, in .state/venv
    )
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
