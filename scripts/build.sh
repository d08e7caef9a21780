#!/usr/bin/env bash
# scripts/build.sh [release|bench|debug|asan|fuzz|image]: configures and builds into build/<kind>/.
# release = RelWithDebInfo (optimised, with symbols); asan = Debug with ASan + UBSan; fuzz = the
# libFuzzer targets only, built by clang with ASan + UBSan; image = Release, only the daemon and
# the simulator (the container image's build stage, deploy/docker/).
set -euo pipefail
cd "$(dirname "$0")/.."
kind=${1:-release}
jobs=${XTRADER_JOBS:-2}
targets=()
case "$kind" in
    release) flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo) ;;
    bench) flags=(-DCMAKE_BUILD_TYPE=Release -DXTRADER_BUILD_TESTS=OFF) ;;
    debug) flags=(-DCMAKE_BUILD_TYPE=Debug) ;;
    asan) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DXTRADER_SANITIZE=ON
                 -DXTRADER_BUILD_BENCH=OFF) ;;
    fuzz) flags=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-O1 -g" -DXTRADER_FUZZ=ON
                 -DXTRADER_BUILD_TESTS=OFF -DXTRADER_BUILD_BENCH=OFF -DXTRADER_WERROR=OFF
                 -DCMAKE_CXX_COMPILER=clang++)
          targets=(--target fuzz_targets) ;;
    image) flags=(-DCMAKE_BUILD_TYPE=Release -DXTRADER_BUILD_TESTS=OFF -DXTRADER_BUILD_BENCH=OFF)
           targets=(--target xtraderd xtrader-sim) ;;
    *) echo "usage: $0 [release|bench|debug|asan|fuzz|image]" >&2; exit 2 ;;
esac
cmake -S . -B "build/$kind" -G Ninja "${flags[@]}" -DXTRADER_PYTHON="${XTRADER_PYTHON:-python3}" \
    >/dev/null
cmake --build "build/$kind" -j "$jobs" "${targets[@]}"
