#!/usr/bin/env bash
# scripts/bench.sh engine: builds in Release and runs the engine benchmark on the fixed workload;
# the last lines are one JSON object per scenario. See docs/PERFORMANCE.md for recorded figures.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-engine}
scripts/setup.sh
scripts/build.sh bench >/dev/null

workloads=${XTRADER_WORKLOADS:-../shared/workloads}
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
    *)
        echo "usage: $0 engine [engine|journal|sequencer]..." >&2
        exit 2
        ;;
esac
