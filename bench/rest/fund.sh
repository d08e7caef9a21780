#!/usr/bin/env bash
# bench/rest/fund.sh PORT: credits the four demo accounts enough KRW and BTC for any benchmark
# run (admin token xtrader-admin, as the benchmarks start their daemons).
set -euo pipefail
port=${1:?usage: bench/rest/fund.sh PORT}
for account in 1 2 3 4; do
    for deposit in "KRW 100000000000000" "BTC 1000000"; do
        read -r asset amount <<<"$deposit"
        curl -sf -H "X-Admin-Token: xtrader-admin" -H "Content-Type: application/json" \
            -d "{\"account_id\":$account,\"asset\":\"$asset\",\"amount\":\"$amount\"}" \
            "localhost:$port/v1/admin/deposit" >/dev/null
    done
done
