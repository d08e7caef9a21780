#!/usr/bin/env bash
# The test command (README): installs what is missing, starts the brokers (scripts/services.sh),
# builds the daemon and the trading screen, and runs every test -- unit (GoogleTest, vitest),
# integration (real daemons on free ports, real brokers), fault (daemons, consumers or brokers
# killed or stopped mid-load), e2e (the screen in Debian's chromium) and compose (docker-compose.yml
# started on a real container engine, scripts/compose-test.sh) on the optimised build, then all
# but compose again under AddressSanitizer + UBSan, and every libFuzzer target for
# XTRADER_FUZZ_SECONDS (30) from its committed corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The interpreter that has pytest, PyYAML and pika: the machine's python3, or Debian's.
XTRADER_PYTHON=python3
python3 -c "import pytest, yaml, pika" >/dev/null 2>&1 || XTRADER_PYTHON=/usr/bin/python3
export XTRADER_PYTHON

scripts/services.sh up
scripts/web.sh
# schemathesis (PyPI) checks docs/openapi.yaml against a running daemon: a venv of its own,
# seeing the interpreter's pytest and PyYAML.
if [[ ! -x .state/venv/bin/schemathesis ]]; then
    "$XTRADER_PYTHON" -m venv --system-site-packages .state/venv
    .state/venv/bin/pip install -q schemathesis==4.32.5
fi
# The browser of the end-to-end test: Debian's chromium, driven by playwright-core.
if ! dpkg-query -W -f='${Status}' chromium 2>/dev/null | grep -q "install ok installed"; then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo="sudo"
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j 2

scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j 2

scripts/build.sh fuzz
UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build/fuzz --output-on-failure -j 2
