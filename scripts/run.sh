#!/usr/bin/env bash
# The run command (README): installs what is missing, builds, and starts the embedded exchange
# in the foreground with config/xtrader.toml (data under ./data). It prints the URL and the demo
# accounts' API keys; Ctrl-C stops it cleanly. Extra arguments go to xtraderd (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
exec build/release/src/app/xtraderd --config config/xtrader.toml "$@"
