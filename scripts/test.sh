#!/usr/bin/env bash
# The test command (README): installs what is missing, builds, and runs every test -- the
# optimised build first, then the unit tests again under AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

scripts/build.sh release
ctest --test-dir build/release --output-on-failure -j 2

scripts/build.sh asan
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build/asan --output-on-failure -j 2 -L unit
