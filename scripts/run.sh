#!/usr/bin/env bash
# The run command (README): installs what is missing, builds the daemon and the trading screen,
# and starts the embedded exchange with config/xtrader.toml (data under ./data) and, beside it,
# xtrader-sim, so that the market
# moves from the first minute. It prints the URLs and the demo accounts' API keys; Ctrl-C stops
# both cleanly. --no-sim leaves the simulator out; other arguments go to xtraderd (see --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh release >/dev/null
scripts/web.sh  # the trading screen, served at http://localhost:7000/

sim=1
args=()
for arg in "$@"; do
    if [[ $arg == --no-sim ]]; then sim=0; else args+=("$arg"); fi
done

build/release/src/app/xtraderd --config config/xtrader.toml "${args[@]}" &
daemon=$!
sim_pid=
if ((sim)); then
    # The simulator reads the same configuration and flags to find the daemon and the accounts.
    build/release/src/sim/xtrader-sim --config config/xtrader.toml "${args[@]}" &
    sim_pid=$!
fi
trap 'kill -TERM $daemon $sim_pid 2>/dev/null || true' INT TERM
status=0
while kill -0 "$daemon" 2>/dev/null; do wait "$daemon" || status=$?; done
[[ -n $sim_pid ]] && kill -TERM "$sim_pid" 2>/dev/null || true
exit "$status"
