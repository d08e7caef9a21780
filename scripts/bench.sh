#!/usr/bin/env bash
# scripts/bench.sh engine | rest | ws | persistence | kafka | rabbitmq | surveillance: builds and
# runs a benchmark; the last lines are one JSON object per scenario. See docs/PERFORMANCE.md
# for recorded figures.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-engine}
scripts/setup.sh
scripts/build.sh bench >/dev/null

workloads=${XTRADER_WORKLOADS:-bench/workloads}
data=build/bench/data
mkdir -p "$data"

# A JSON line ($1) with the broker's own tool's rate ($2, messages/s, measured in the same run)
# and the ratio to it of the line's field $3 (messages_per_s) added.
with_baseline() {
    python3 - "$1" "$2" "${3:-messages_per_s}" <<'PY'
import json, sys
ours, baseline = json.loads(sys.argv[1]), float(sys.argv[2])
ours["baseline_per_s"] = round(baseline)
ours["ratio"] = round(ours[sys.argv[3]] / baseline, 3)
print(json.dumps(ours, separators=(",", ":")))
PY
}

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
        # Three servers in one run, driven by wrk on the same machine with the same connections:
        # bench/rest/bare_server (Beast parsing the same order JSON and answering, nothing
        # behind it: the ceiling), then a fresh daemon (rate limit off, the demo accounts funded)
        # with GET /health and the order mix. The orders line carries its ratio to both.
        command -v wrk >/dev/null || { apt-get install -y -qq wrk >/dev/null; }
        scripts/build.sh release >/dev/null
        rest=$data/rest
        rm -rf "$rest" && mkdir -p "$rest"
        port=${XTRADER_BENCH_PORT:-7300}
        seconds=${XTRADER_BENCH_SECONDS:-15}
        connections=${XTRADER_BENCH_CONNECTIONS:-64}
        threads=$(nproc)
        requests() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])["requests"])' "$1"; }
        wrk_json() { wrk -t2 -c"$connections" -d"${seconds}s" -s "bench/rest/$1.lua" "http://127.0.0.1:$2" | grep -E '^(\{|#)'; }
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg); wrk -t2 -c$connections -d${seconds}s" >&2
        build/bench/bench/bare_server "$port" "$threads" &
        bare_pid=$!
        for _ in $(seq 100); do curl -s -o /dev/null "localhost:$port/" && break; sleep 0.1; done
        before=$(python3 bench/rest/threads.py $bare_pid)
        bare=$(wrk_json orders "$port" | sed 's/"scenario":"orders"/"scenario":"bare"/' | grep '^{')
        bare_cpu=$(python3 bench/rest/threads.py $bare_pid "$before" "$(requests "$bare")")
        kill $bare_pid; wait $bare_pid 2>/dev/null || true
        build/release/src/app/xtraderd --config config/xtrader.toml --data-dir "$rest" \
            --http-port "$port" --rate-limit 0 --admin-token xtrader-admin --log-level warn \
            ${XTRADER_BENCH_FSYNC:+--fsync "$XTRADER_BENCH_FSYNC"} >"$rest/xtraderd.log" 2>&1 &
        daemon=$!
        trap 'kill $daemon 2>/dev/null; wait $daemon 2>/dev/null' EXIT
        for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
        bench/rest/fund.sh "$port"
        before=$(python3 bench/rest/threads.py $daemon)
        health=$(wrk_json health "$port")
        health_cpu=$(python3 bench/rest/threads.py $daemon "$before" "$(requests "$health")")
        before=$(python3 bench/rest/threads.py $daemon)
        orders=$(wrk_json orders "$port")
        # What the order mix's requests cost each stage, counting the followers' work behind it
        # (they finish after wrk: let them catch up before the second reading).
        sleep 2
        orders_cpu=$(python3 bench/rest/threads.py $daemon "$before" "$(requests "$(grep '^{' <<<"$orders")")")
        grep '^#' <<<"$orders" >&2 || true
        python3 - "$bare" "$health" "$(grep '^{' <<<"$orders")" "$bare_cpu" "$health_cpu" "$orders_cpu" \
            "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import json, sys
bare, health, orders, bare_cpu, health_cpu, orders_cpu = (json.loads(a) for a in sys.argv[1:7])
bare["cpu_us_per_request"] = bare_cpu["total"]
health["cpu_us_per_request"] = health_cpu["total"]
orders["cpu_us_per_request"] = orders_cpu["total"]
orders["ratio_bare"] = round(orders["requests_per_s"] / bare["requests_per_s"], 3)
orders["ratio_health"] = round(orders["requests_per_s"] / health["requests_per_s"], 3)
orders["load"] = sys.argv[7]
for line in (bare, health, orders):
    print(json.dumps(line, separators=(",", ":")))
print(json.dumps({"bench": "rest", "scenario": "orders_cpu_by_thread", "us_per_request": orders_cpu},
                 separators=(",", ":")))
PY
        ;;
    ws)
        # Fan-out: a fresh daemon per run; ws_bench holds N clients on /ws/executions (batch mode:
        # ?batch=1), reads the daemon's memory, then offers crossing orders at a rate and times
        # submission -> message. Runs: "batch subscribers executions/s", or XTRADER_BENCH_WS_RUNS.
        # Before the first run of each size, the floor: the same clients fed by a server that
        # only writes (`ws_bench bare`, "scenario": "bare").
        scripts/build.sh release >/dev/null
        port=${XTRADER_BENCH_PORT:-7300}
        seconds=${XTRADER_BENCH_SECONDS:-5}
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)" >&2
        results=()
        runs=${XTRADER_BENCH_WS_RUNS:-"0 10000 10,1 10000 100,0 1000 100,1 1000 100"}
        IFS=, read -ra runs <<<"$runs"
        declare -A floors=()
        for run in "${runs[@]}"; do
            set -- $run
            if [[ -z ${floors["$2 $3"]:-} ]]; then
                floors["$2 $3"]=1
                results+=("$(build/bench/bench/ws_bench bare "$2" "$3" "$seconds")")
            fi
            ws=$data/ws
            rm -rf "$ws" && mkdir -p "$ws"
            build/release/src/app/xtraderd --config config/xtrader.toml --data-dir "$ws" \
                --http-port "$port" --ws-port $((port + 1)) --rate-limit 0 --admin-token xtrader-admin \
                --log-level warn \
                >"$ws/xtraderd.log" 2>&1 &
            daemon=$!
            for _ in $(seq 100); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
            results+=("$(build/bench/bench/ws_bench 127.0.0.1 "$port" $((port + 1)) "$daemon" "$2" "$3" "$seconds" "$1")")
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
        ours=$(build/bench/bench/pipeline_bench kafka-publisher config/xtrader.toml $brokers \
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
        with_baseline "$ours" "$(sed -n 's:.* \([0-9.]*\) records/sec.*:\1:p' <<<"$baseline")"
        build/bench/bench/pipeline_bench kafka-latency config/xtrader.toml $brokers "bench-latency-$tag" \
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
    surveillance)
        # 1. A backlog of XTRADER_BENCH_RECORDS (200000) records (an Execution and a BookDelta
        #    each on market-data, an order change each on order-events) read from the start by
        #    one member of each group, against Kafka's own ConsumerPerformance reading the same
        #    market-data topic in this run (fetch messages/s, rebalance excluded).
        # 2. An analytics member's lag, execution committed -> read, at XTRADER_BENCH_RATE (5000)
        #    executions/s.
        scripts/services.sh up kafka >/dev/null
        records=${XTRADER_BENCH_RECORDS:-200000}
        brokers=127.0.0.1:17092
        tag=$(date +%s)
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        groups=$(build/bench/bench/pipeline_bench surveillance-backlog config/xtrader.toml $brokers \
            "bench-surveillance-$tag" "$data/surveillance" "$records")
        baseline=$(scripts/services.sh kafka-tool org.apache.kafka.tools.ConsumerPerformance \
            --bootstrap-server $brokers --topic "bench-surveillance-$tag" --messages $((2 * records)) \
            --group "bench-baseline-$tag" --hide-header --timeout 60000 | tail -1)
        per_s=$(cut -d, -f10 <<<"$baseline" | xargs)
        while read -r line; do with_baseline "$line" "$per_s" events_per_s; done <<<"$groups"
        build/bench/bench/pipeline_bench surveillance-lag config/xtrader.toml $brokers \
            "bench-surveillance-lag-$tag" "$data/surveillance-lag" "${XTRADER_BENCH_RATE:-5000}" \
            "${XTRADER_BENCH_SECONDS:-20}"
        ;;
    rabbitmq)
        # 1. The RabbitMQ publisher draining a pre-filled journal (confirms, a window of 4096),
        #    and RabbitMQ's own PerfTest with the same message size and confirm window, on the
        #    same broker in this run; on both sides one queue bound to the exchange, emptied by
        #    one PerfTest consumer (auto-ack), as a gateway's queue is.
        # 2. Submission -> Execution at the client through RabbitMQ, three gateways and
        #    HAProxy, 1,000 clients per gateway, at XTRADER_BENCH_RATE (100) executions/s.
        scripts/services.sh up >/dev/null
        scripts/build.sh release >/dev/null
        perftest=.state/perftest/libs-$(sed -n 's:.*<perf-test.version>\(.*\)</perf-test.version>.*:\1:p' scripts/perftest/pom.xml)
        if [[ ! -f $perftest/.complete ]]; then
            mvn -q -B -f scripts/perftest/pom.xml dependency:copy-dependencies \
                -DoutputDirectory="$PWD/$perftest" >/dev/null
            touch "$perftest/.complete"
        fi
        amqp=amqp://guest:guest@127.0.0.1:17672
        perf() { java -cp "$perftest/*" com.rabbitmq.perf.PerfTest -h "$amqp" "$@" 2>&1; }
        records=${XTRADER_BENCH_RECORDS:-250000}
        tag=$(date +%s)
        echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
        # The consumer of our run: declares the queue, binds it with "#" and empties it.
        # java itself in the background (not the perf function's subshell), so that kill stops it
        java -cp "$perftest/*" com.rabbitmq.perf.PerfTest -h "$amqp" -x 0 -y 1 -a \
            -e "bench-xtrader-$tag" -t topic -k '#' -u "bench-xtrader-$tag" -ad true \
            >"$data/perftest-consumer.log" 2>&1 &
        consumer=$!
        for _ in $(seq 100); do grep -q "starting consumer" "$data/perftest-consumer.log" && break; sleep 0.1; done
        sleep 1
        ours=$(build/bench/bench/pipeline_bench rabbitmq-publisher config/xtrader.toml "$amqp/" \
            "bench-xtrader-$tag" "$data/rabbitmq" "$records")
        kill "$consumer"; wait "$consumer" 2>/dev/null || true
        bytes=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["message_bytes"])' "$ours")
        messages=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["messages"])' "$ours")
        baseline=$(perf -x 1 -y 1 -a -s "$bytes" -c 4096 -C "$messages" -e "bench-baseline-$tag" \
            -t topic -k '#' -u "bench-baseline-$tag" -ad true | grep 'sending rate avg')
        with_baseline "$ours" "$(sed -n 's:.*sending rate avg\: \([0-9.]*\) msg/s.*:\1:p' <<<"$baseline")"
        # A fresh full-mode exchange serving no WebSocket, three gateways, HAProxy in front;
        # ws_bench's clients connect through HAProxy and time submission -> Execution.
        port=${XTRADER_BENCH_PORT:-7300}
        gw=$data/gateways
        rm -rf "$gw" && mkdir -p "$gw"
        full=(--config config/xtrader.toml --data-dir "$gw" --log-level warn
            --rabbitmq "$amqp/" --rabbitmq-exchange "bench-notifications-$tag"
            --redis 127.0.0.1:17379 --market-data-cache "bench:$tag"
            --kafka 127.0.0.1:17092 --kafka-topic "bench-md-$tag" --kafka-partitions 1
            --kafka-mdp-group "bench-mdp-$tag" --kafka-order-topic "bench-orders-$tag"
            --kafka-order-history-group "bench-history-$tag")
        pids=()
        trap 'kill "${pids[@]}" 2>/dev/null; wait "${pids[@]}" 2>/dev/null || true' EXIT
        build/release/src/app/xtraderd "${full[@]}" --http-port "$port" --ws-gateways true \
            --rate-limit 0 --admin-token xtrader-admin >"$gw/xtraderd.log" 2>&1 &
        daemon=$!
        pids+=("$daemon")
        for _ in $(seq 300); do curl -sf "localhost:$port/ready" >/dev/null && break; sleep 0.1; done
        backends=()
        for i in 1 2 3; do
            build/release/src/app/xtraderd "${full[@]}" --role ws-gateway --gateway-name "bench$i-$tag" \
                --ws-port $((port + 10 + i)) >"$gw/gateway$i.log" 2>&1 &
            pids+=("$!")
            backends+=("127.0.0.1:$((port + 10 + i))")
        done
        for i in 1 2 3; do
            for _ in $(seq 300); do curl -sf "localhost:$((port + 10 + i))/health" >/dev/null && break; sleep 0.1; done
        done
        scripts/services.sh haproxy-config $((port + 1)) "$PWD/$gw/haproxy.sock" "${backends[@]}" >"$gw/haproxy.cfg"
        haproxy -db -f "$gw/haproxy.cfg" >"$gw/haproxy.log" 2>&1 &
        pids+=("$!")
        sleep 3  # HAProxy's first health checks
        clients=${XTRADER_BENCH_CLIENTS:-3000}
        result=$(build/bench/bench/ws_bench 127.0.0.1 "$port" $((port + 1)) "$daemon" "$clients" \
            "${XTRADER_BENCH_RATE:-100}" "${XTRADER_BENCH_SECONDS:-20}" | grep '"delivery"')
        python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
r.update({"bench": "rabbitmq", "scenario": "gateways", "gateways": 3})
print(json.dumps(r, separators=(",", ":")))
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
