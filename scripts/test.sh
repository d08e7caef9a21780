#!/usr/bin/env bash
# The test command (README): installs what is missing, starts the brokers (scripts/services.sh),
# builds, and runs every test -- unit, integration (real daemons on free ports, real brokers) and
# fault (daemons, consumers or brokers killed or stopped mid-load) on the optimised build, then
# all of them again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The interpreter that has pytest and PyYAML: the machine's python3, or Debian's.
XTRADER_PYTHON=python3
python3 -c "import pytest, yaml" >/dev/null 2>&1 || XTRADER_PYTHON=/usr/bin/python3
export XTRADER_PYTHON

scripts/services.sh up

scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j 2

scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j 2
