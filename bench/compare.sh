#!/usr/bin/env bash
# bench/compare.sh REV [rounds]: the REST order mix, GET /health and the WebSocket fan-out
# (1,000 subscribers at 100 executions/s) against xtraderd built at REV and at the working tree,
# alternately (REV, now, now, REV per round), so that both sides of each ratio come from the
# same run. One JSON line per daemon, prefixed "base" or "now". XTRADER_COMPARE_WS=0 leaves
# out the WebSocket run.
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/compare.sh REV [rounds]}
rounds=${2:-2}
base=build/compare/$(git rev-parse --short "$rev")
if [[ ! -x $base/build/src/app/xtraderd ]]; then
    rm -rf "$base" && mkdir -p "$base"
    git archive "$rev" | tar -x -C "$base"
    cmake -S "$base" -B "$base/build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DXTRADER_BUILD_TESTS=OFF -DXTRADER_BUILD_BENCH=OFF >/dev/null
    cmake --build "$base/build" -j "${XTRADER_JOBS:-2}" --target xtraderd >/dev/null
fi
scripts/build.sh release >/dev/null
seconds=${XTRADER_BENCH_SECONDS:-10}
# A step that fails must not leave a daemon holding its port for the next run.
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT

run() {  # name binary config port
    local name=$1 bin=$2 config=$3 port=$4 dir
    dir=$(mktemp -d)
    "$bin" --config "$config" --data-dir "$dir" --http-port "$port" --ws-port $((port + 1)) \
        --rate-limit 0 --admin-token xtrader-admin --log-level warn >"$dir/log" 2>&1 &
    local pid=$!
    for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
    bench/rest/fund.sh "$port"
    echo "$name $(wrk -t2 -c64 -d"${seconds}s" -s bench/rest/health.lua "http://127.0.0.1:$port" | grep '^{')"
    local before orders
    before=$(python3 bench/rest/threads.py "$pid")
    orders=$(wrk -t2 -c64 -d"${seconds}s" -s bench/rest/orders.lua "http://127.0.0.1:$port" | grep '^{')
    echo "$name $orders"
    # CPU per order by thread: steadier than the rate on a shared machine. The followers finish
    # after wrk: let them catch up first.
    sleep 2
    echo "$name {\"bench\":\"rest\",\"scenario\":\"orders_cpu_by_thread\",\"us_per_request\":$(python3 bench/rest/threads.py "$pid" "$before" \
        "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$orders")")}"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    if [[ ${XTRADER_COMPARE_WS:-1} == 0 ]]; then rm -rf "$dir"; return; fi
    "$bin" --config "$config" --data-dir "$dir/ws" --http-port "$port" --ws-port $((port + 1)) \
        --rate-limit 0 --admin-token xtrader-admin --log-level warn >"$dir/log" 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
    build/release/bench/ws_bench 127.0.0.1 "$port" $((port + 1)) "$pid" 1000 100 5 | sed "s/^/$name /"
    kill "$pid"; wait "$pid" 2>/dev/null || true
    rm -rf "$dir"
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
port=${XTRADER_BENCH_PORT:-7400}
for ((round = 0; round < rounds; ++round)); do
    run base "$base/build/src/app/xtraderd" "$base/config/xtrader.toml" $((port))
    run now build/release/src/app/xtraderd config/xtrader.toml $((port + 10))
    run now build/release/src/app/xtraderd config/xtrader.toml $((port + 20))
    run base "$base/build/src/app/xtraderd" "$base/config/xtrader.toml" $((port + 30))
done
