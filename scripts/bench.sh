#!/usr/bin/env bash
# scripts/bench.sh engine | rest | ws | persistence | kafka: builds and runs a benchmark; the last
# lines are one JSON object per scenario. See docs/PERFORMANCE.md for recorded figures.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-engine}
scripts/setup.sh
scripts/build.sh bench >/dev/null

workloads=${XTRADER_WORKLOADS:-bench/workloads}
data=build/bench/data
mkdir -p "$data"

case "$what" in
    engine)
        csv=$data/exchange-core-1book.csv
        if [[ ! -s $csv || $csv -ot $workloads/exchange-core-1book.csv.xz ]]; then
            xz -dc "$workloads/exchange-core-1book.csv.xz" >"$csv"
        fi
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
        # One process per scenario, so that one's memory and files do not weigh on the next.
        scenarios=("${@:2}")
        ((${#scenarios[@]})) || scenarios=(engine journal sequencer)
        results=()
        for s in "${scenarios[@]}"; do
            results+=("$(build/bench/bench/engine_bench "$csv" "$data" "$s")")
        done
        printf '%s\n' "${results[@]}"
        ;;
    rest)
        # A fresh daemon, rate limit off, the demo accounts funded for the run; wrk on the
        # same machine drives GET /health (the ceiling) and then the order mix.
        command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
        scripts/build.sh release >/dev/null
        rest=$data/rest
        rm -rf "$rest" && mkdir -p "$rest"
        port=${XTRADER_BENCH_PORT:-7300}
        seconds=${XTRADER_BENCH_SECONDS:-15}
        connections=${XTRADER_BENCH_CONNECTIONS:-64}
        build/release/src/app/xtraderd --config config/xtrader.toml --data-dir "$rest" \
            --http-port "$port" --rate-limit 0 --admin-token xtrader-admin --log-level warn \
            >"$rest/xtraderd.log" 2>&1 &
        daemon=$!
        trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' EXIT
        for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
        bench/rest/fund.sh "$port"
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk -t2 -c$connections -d${seconds}s" >&2
        health=$(wrk -t2 -c"$connections" -d"${seconds}s" -s bench/rest/health.lua "http://127.0.0.1:$port" | grep '^{')
        orders=$(wrk -t2 -c"$connections" -d"${seconds}s" -s bench/rest/orders.lua "http://127.0.0.1:$port" | grep -E '^(\{|#)')
        printf '%s\n%s\n' "$health" "$orders"
        ;;
    ws)
        # Fan-out: a fresh daemon per run; ws_bench holds N clients on /ws/executions, reads the
        # daemon's memory, then offers crossing orders at a rate and times submission -> message.
        scripts/build.sh release >/dev/null
        port=${XTRADER_BENCH_PORT:-7300}
        seconds=${XTRADER_BENCH_SECONDS:-5}
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
        results=()
        for run in "10000 10" "1000 100" "100 1000"; do
            set -- $run
            ws=$data/ws
            rm -rf "$ws" && mkdir -p "$ws"
            build/release/src/app/xtraderd --config config/xtrader.toml --data-dir "$ws" \
                --http-port "$port" --ws-port $((port + 1)) --rate-limit 0 --admin-token xtrader-admin \
                --log-level warn \
                >"$ws/xtraderd.log" 2>&1 &
            daemon=$!
            for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
            results+=("$(build/bench/bench/ws_bench 127.0.0.1 "$port" $((port + 1)) "$daemon" "$1" "$2" "$seconds")")
            kill "$daemon"; wait "$daemon" 2>/dev/null || true
        done
        printf '%s\n' "${results[@]}"
        ;;
    kafka)
        # 1. The Kafka publisher draining a pre-filled journal, and Kafka's own
        #    ProducerPerformance with the same message size and producer settings (acks=all,
        #    idempotence, linger 5 ms, 1 MiB batches, lz4) on the same broker, in this run.
        # 2. Execution committed -> mdp-group candle, at XTRADER_BENCH_RATE (5000) executions/s.
        # 3. The sequencer scenario of `engine` alone and with the publisher beside it.
        scripts/services.sh up kafka >/dev/null
        records=${XTRADER_BENCH_RECORDS:-500000}
        brokers=127.0.0.1:17092
        tag=$(date +%s)
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        ours=$(build/bench/bench/kafka_bench publisher config/xtrader.toml $brokers \
            "bench-xtrader-$tag" "$data/kafka" "$records")
        bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["message_bytes"])' "$ours")
        messages=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["messages"])' "$ours")
        scripts/services.sh kafka-tool org.apache.kafka.tools.TopicCommand \
            --bootstrap-server $brokers --create --topic "bench-baseline-$tag" \
            --partitions 3 --replication-factor 1 >/dev/null
        baseline=$(scripts/services.sh kafka-tool org.apache.kafka.tools.ProducerPerformance \
            --topic "bench-baseline-$tag" --num-records "$messages" --record-size "$bytes" \
            --throughput -1 --producer-props bootstrap.servers=$brokers acks=all \
            enable.idempotence=true linger.ms=5 batch.size=1048576 compression.type=lz4 | tail -1)
        python3 - "$ours" "$baseline" <<'PY'
import json, re, sys
ours = json.loads(sys.argv[1])
baseline = float(re.search(r"([0-9.]+) records/sec", sys.argv[2]).group(1))
ours["baseline_per_s"] = round(baseline)
ours["ratio"] = round(ours["events_per_s"] / baseline, 3)
print(json.dumps(ours, separators=(",", ":")))
PY
        build/bench/bench/kafka_bench latency config/xtrader.toml $brokers "bench-latency-$tag" \
            "$data/kafka-latency" "${XTRADER_BENCH_RATE:-5000}" "${XTRADER_BENCH_SECONDS:-20}"
        csv=$data/exchange-core-1book.csv
        if [[ ! -s $csv || $csv -ot $workloads/exchange-core-1book.csv.xz ]]; then
            xz -dc "$workloads/exchange-core-1book.csv.xz" >"$csv"
        fi
        # Alternating rounds, the median of each side: the machine is shared and noisy.
        runs=()
        for _ in 1 2 3 4 5; do
            runs+=("$(build/bench/bench/engine_bench "$csv" "$data" sequencer)")
            runs+=("$(build/bench/bench/engine_bench "$csv" "$data" "sequencer+kafka=$brokers" 2>/dev/null)")
        done
        python3 - "${runs[@]}" <<'PY'
import json, statistics, sys
runs = [json.loads(r) for r in sys.argv[1:]]
alone = [r for r in runs if r["scenario"] == "sequencer"]
beside = [r for r in runs if r["scenario"] == "sequencer+kafka"]
median = lambda rs, k: statistics.median(r[k] for r in rs)
print(json.dumps({"bench": "kafka", "scenario": "sequencer_beside_publisher", "rounds": len(alone),
                  "commands_per_s": round(median(beside, "commands_per_s")),
                  "baseline_per_s": round(median(alone, "commands_per_s")),
                  "ratio": round(median(beside, "commands_per_s") / median(alone, "commands_per_s"), 3),
                  "p99_ns": round(median(beside, "p99_ns")),
                  "baseline_p99_ns": round(median(alone, "p99_ns"))},
                 separators=(",", ":")))
PY
        ;;
    persistence)
        # The brokers of scripts/services.sh; a fresh data directory; bench/persistence.py
        # drives the daemon and the persisters (it documents each phase).
        scripts/services.sh up >/dev/null
        scripts/build.sh release >/dev/null
        persistence=$data/persistence
        rm -rf "$persistence" && mkdir -p "$persistence"
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
        python3 bench/persistence.py build/release/src/app/xtraderd config/xtrader.toml "$persistence" \
            "${XTRADER_BENCH_EXECUTIONS:-200000}"
        ;;
    *)
        echo "usage: $0 engine [engine|journal|sequencer]... | $0 rest | $0 ws | $0 persistence | $0 kafka" >&2
        exit 2
        ;;
esac
