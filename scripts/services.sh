#!/usr/bin/env bash
# The brokers of full mode, on loopback, for tests and a local full-mode exchange:
#   scripts/services.sh up [NAME...]    install what is missing, start what is not running, wait
#                                       until each one answers
#   scripts/services.sh status          each one's health; exit 1 when one is down
#   scripts/services.sh down [NAME...]  stop what this script started (nothing else)
#   scripts/services.sh reset           down, then delete their data
#   (status also lists the Kafka pipeline's topics: partitions and messages)
#   scripts/services.sh kafka-read TOPIC
#                                       every message of a Kafka topic from its beginning, one
#                                       "key<TAB>value" line each (Kafka's console consumer); it
#                                       returns after 5 s without a new message
#   scripts/services.sh kafka-tool CLASS [ARGS...]
#                                       one of Kafka's own tools from the broker's jars, e.g.
#                                       org.apache.kafka.tools.ProducerPerformance
#   scripts/services.sh haproxy-config PORT STATS_SOCKET HOST:PORT...
#                                       HAProxy's configuration in front of WebSocket gateways
# NAME is redis, postgresql, rabbitmq or kafka (default: all four), or haproxy (only by name:
# full mode's load balancer on 7001, the embedded exchange's WebSocket port); the fault tests
# stop and start single brokers this way.
#
# Each runs as its own process on the project's own port with its data under one state directory
# ($XTRADER_SERVICES_DIR, default .state/services in the checkout), so it never touches a system
# instance of the same software:
#   Redis       127.0.0.1:17379   AOF on (appendfsync everysec)
#   PostgreSQL  127.0.0.1:17432   own cluster; user xtrader (trust on loopback), database xtrader
#   RabbitMQ    127.0.0.1:17672   own node xtrader@localhost; user guest
#   Kafka       127.0.0.1:17092   KRaft, one node (controller on 17093); jars from Maven Central
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
state=${XTRADER_SERVICES_DIR:-$root/.state/services}
redis_port=17379
pg_port=17432
rabbit_port=17672
rabbit_dist_port=17673
kafka_port=17092
kafka_controller_port=17093
kafka_version=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$root/scripts/kafka/pom.xml")

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"

log() { echo "services: $*"; }

install_packages() {
    local packages=(redis-server redis-tools postgresql rabbitmq-server openjdk-17-jre-headless
        maven procps haproxy)
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    # A machine may carry its own Java and Maven outside Debian's packages.
    if command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then
        missing=("${missing[@]/openjdk-17-jre-headless/}")
    fi
    command -v mvn >/dev/null && missing=("${missing[@]/maven/}")
    local wanted=()
    for p in "${missing[@]}"; do [[ -n $p ]] && wanted+=("$p"); done
    ((${#wanted[@]} == 0)) && return 0
    log "installing ${wanted[*]}"
    # Debian's packages start their system instances where an init system runs; ours are separate.
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${wanted[@]}" >/dev/null
}

# The pid recorded for a service, when that process is still alive.
running_pid() {
    local file="$state/$1.pid"
    [[ -f $file ]] || return 1
    local pid
    pid=$(<"$file")
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

wait_until() {
    local what=$1 seconds=$2
    shift 2
    for ((i = 0; i < seconds * 4; i++)); do
        "$@" >/dev/null 2>&1 && return 0
        sleep 0.25
    done
    log "$what did not answer within ${seconds}s; its log is under $state"
    return 1
}

# ---- Redis -----------------------------------------------------------------------------------
redis_ok() { redis-cli -p "$redis_port" ping | grep -q PONG; }
redis_up() {
    running_pid redis >/dev/null && return 0
    mkdir -p "$state/redis"
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$state/redis" \
        --appendonly yes --appendfsync everysec --save "" --daemonize yes \
        --pidfile "$state/redis.pid" --logfile "$state/redis/redis.log"
    wait_until Redis 30 redis_ok
}
redis_down() {
    local pid
    pid=$(running_pid redis) || return 0
    redis-cli -p "$redis_port" shutdown >/dev/null 2>&1 || kill "$pid"
    wait_until "Redis shutdown" 30 bash -c "! kill -0 $pid"
}

# ---- PostgreSQL ------------------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
# PostgreSQL refuses to run as root: as root, its cluster belongs to the postgres user.
as_pg() {
    if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}
pg_ok() { as_pg "$pg_bin/pg_isready" -h 127.0.0.1 -p "$pg_port" -q; }
pg_up() {
    pg_ok && return 0
    local data="$state/postgres"
    if [[ ! -f $data/PG_VERSION ]]; then
        mkdir -p "$data"
        if [[ $(id -u) -eq 0 ]]; then
            chown postgres: "$data"
            # The postgres user must reach its directory: a checkout in a `mktemp -d` folder
            # is 0700. Give each ancestor the search bit only (no listing).
            local dir=$data
            while [[ $dir != / ]]; do
                dir=$(dirname "$dir")
                [[ $(stat -c %A "$dir") == *x ]] || chmod o+x "$dir"
            done
        fi
        chmod 700 "$data"
        as_pg "$pg_bin/initdb" -D "$data" -U xtrader --auth=trust -E UTF8 >/dev/null
    fi
    as_pg "$pg_bin/pg_ctl" -D "$data" -l "$data/postgres.log" -w -t 60 start \
        -o "-p $pg_port -k $data -c listen_addresses=127.0.0.1 -c max_connections=200" >/dev/null
    head -1 "$data/postmaster.pid" >"$state/postgres.pid"
    wait_until PostgreSQL 30 pg_ok
    as_pg "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U xtrader -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = 'xtrader'" | grep -q 1 ||
        as_pg "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U xtrader xtrader
}
pg_down() {
    running_pid postgres >/dev/null || return 0
    as_pg "$pg_bin/pg_ctl" -D "$state/postgres" -m fast -w stop >/dev/null
}

# ---- RabbitMQ --------------------------------------------------------------------------------
rabbit_env() {
    env HOME="$state/rabbitmq" RABBITMQ_NODENAME=xtrader@localhost \
        RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$rabbit_port" \
        RABBITMQ_DIST_PORT="$rabbit_dist_port" \
        RABBITMQ_MNESIA_BASE="$state/rabbitmq/mnesia" RABBITMQ_LOG_BASE="$state/rabbitmq/log" \
        RABBITMQ_CONFIG_FILE="$state/rabbitmq/rabbitmq" \
        RABBITMQ_ENABLED_PLUGINS_FILE="$state/rabbitmq/enabled_plugins" \
        RABBITMQ_PID_FILE="$state/rabbitmq.pid" "$@"
}
rabbit_ok() { rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -q status; }
rabbit_up() {
    running_pid rabbitmq >/dev/null && rabbit_ok >/dev/null 2>&1 && return 0
    mkdir -p "$state/rabbitmq/log"
    echo "[]." >"$state/rabbitmq/enabled_plugins"
    # guest may connect from loopback only, which is all this node listens on.
    echo "loopback_users.guest = true" >"$state/rabbitmq/rabbitmq.conf"
    rabbit_env nohup /usr/lib/rabbitmq/bin/rabbitmq-server >"$state/rabbitmq/log/stdout.log" 2>&1 &
    rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -q wait --timeout 120 "$state/rabbitmq.pid" \
        >/dev/null 2>&1 || true
    wait_until RabbitMQ 60 rabbit_ok
}
rabbit_down() {
    running_pid rabbitmq >/dev/null || return 0
    rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -q stop "$state/rabbitmq.pid" >/dev/null 2>&1 ||
        kill "$(running_pid rabbitmq)" 2>/dev/null || true
}

# ---- Kafka -----------------------------------------------------------------------------------
kafka_libs="$state/kafka/libs-$kafka_version"
kafka_java() { java -Xms256m -Xmx768m -cp "$kafka_libs/*" "$@"; }
kafka_ok() {
    java -cp "$kafka_libs/*" org.apache.kafka.tools.TopicCommand \
        --bootstrap-server "127.0.0.1:$kafka_port" --list
}
kafka_fetch() {
    [[ -f $kafka_libs/.complete ]] && return 0
    log "fetching Apache Kafka $kafka_version from Maven Central"
    rm -rf "$kafka_libs"
    mvn -q -B -f "$root/scripts/kafka/pom.xml" dependency:copy-dependencies \
        -DoutputDirectory="$kafka_libs" >"$state/kafka/mvn.log" 2>&1 ||
        { cat "$state/kafka/mvn.log"; return 1; }
    touch "$kafka_libs/.complete"
}
kafka_up() {
    running_pid kafka >/dev/null && return 0
    mkdir -p "$state/kafka"
    kafka_fetch
    local conf="$state/kafka/server.properties"
    cat >"$conf" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$kafka_controller_port
listeners=PLAINTEXT://127.0.0.1:$kafka_port,CONTROLLER://127.0.0.1:$kafka_controller_port
advertised.listeners=PLAINTEXT://127.0.0.1:$kafka_port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$state/kafka/data
num.partitions=3
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF
    if [[ ! -f $state/kafka/data/meta.properties ]]; then
        kafka_java kafka.tools.StorageTool format -c "$conf" \
            -t "$(kafka_java kafka.tools.StorageTool random-uuid 2>/dev/null)" \
            >"$state/kafka/format.log" 2>&1
    fi
    nohup java -Xms256m -Xmx768m -cp "$kafka_libs/*" kafka.Kafka "$conf" \
        >"$state/kafka/kafka.log" 2>&1 &
    echo $! >"$state/kafka.pid"
    wait_until Kafka 90 kafka_ok
}
kafka_down() {
    local pid
    pid=$(running_pid kafka) || return 0
    kill "$pid"
    wait_until "Kafka shutdown" 60 bash -c "! kill -0 $pid" || kill -9 "$pid"
}

# ---- HAProxy (the WebSocket gateways' load balancer) -----------------------------------------
# Not started by a plain `up`: it takes the WebSocket port, 7001, which the embedded exchange
# uses. `up haproxy` puts it in front of the gateways of full mode (XTRADER_GATEWAYS, default
# the three of docs/PIPELINES.md), on XTRADER_WS_LB_PORT (default 7001).
haproxy_port=${XTRADER_WS_LB_PORT:-7001}
haproxy_gateways=${XTRADER_GATEWAYS:-127.0.0.1:17101 127.0.0.1:17102 127.0.0.1:17103}
# The configuration for a port and the gateways' host:port, on stdout: WebSocket connections
# balanced by least connections; a gateway whose /health fails (it lost RabbitMQ) gets none.
haproxy_config() {
    local port=$1 stats=$2
    shift 2
    cat <<EOF
global
    maxconn 8000
    stats socket $stats mode 600 level operator
defaults
    mode http
    option http-server-close
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    timeout tunnel 1h
    timeout http-request 10s
frontend websocket
    bind 127.0.0.1:$port
    default_backend ws-gateways
backend ws-gateways
    balance leastconn
    option httpchk GET /health
    http-check expect status 200
    default-server inter 1s fall 2 rise 1
EOF
    local i=1
    for gateway in "$@"; do
        echo "    server gw$i $gateway check"
        i=$((i + 1))
    done
}
haproxy_ok() { bash -c "exec 3<>/dev/tcp/127.0.0.1/$haproxy_port"; }
haproxy_up() {
    running_pid haproxy >/dev/null && return 0
    mkdir -p "$state/haproxy"
    # shellcheck disable=SC2086 # one word per gateway
    haproxy_config "$haproxy_port" "$state/haproxy/stats.sock" $haproxy_gateways \
        >"$state/haproxy/haproxy.cfg"
    haproxy -D -f "$state/haproxy/haproxy.cfg" -p "$state/haproxy.pid" \
        >"$state/haproxy/haproxy.log" 2>&1
    wait_until HAProxy 30 haproxy_ok
}
haproxy_down() {
    local pid
    pid=$(running_pid haproxy) || return 0
    kill "$pid"
    wait_until "HAProxy shutdown" 30 bash -c "! kill -0 $pid"
}
# Each gateway as HAProxy sees it: its health and its clients.
haproxy_backends() {
    python3 - "$state/haproxy/stats.sock" <<'PY' || true
import csv, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.sendall(b"show stat\n")
data = b""
while chunk := s.recv(65536):
    data += chunk
for r in csv.DictReader(data.decode().lstrip("# ").splitlines()):
    if r["pxname"] == "ws-gateways" and r["svname"] not in ("BACKEND", "FRONTEND"):
        print(f"  backend {r['svname']:<6} {r['status']:<5} {r['scur']} clients")
PY
}

# The notification pipeline's exchanges and queues (market-notifications*, ws-gateway.*).
rabbit_queues() {
    rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -q list_exchanges name type 2>/dev/null |
        awk '$1 ~ /^market-notifications/ { printf "  exchange %-24s %s\n", $1, $2 }'
    rabbit_env /usr/lib/rabbitmq/bin/rabbitmqctl -q list_queues name messages consumers \
        2>/dev/null |
        awk '$1 ~ /^(market-notifications|ws-gateway\.)/ {
                 printf "  queue    %-24s %d messages, %d consumers\n", $1, $2, $3 }'
}

status_line() {
    local name=$1 port=$2
    shift 2
    if "$@" >/dev/null 2>&1; then
        printf '%-11s up    127.0.0.1:%s\n' "$name" "$port"
    else
        printf '%-11s down  127.0.0.1:%s\n' "$name" "$port"
        return 1
    fi
}

# The pipeline's topics (config/full.toml's names) with their partitions and messages; nothing
# when none exists yet (the tool then fails, which is no failure of the broker).
kafka_topics() {
    { kafka_java org.apache.kafka.tools.GetOffsetShell --bootstrap-server "127.0.0.1:$kafka_port" \
        --topic '^(market-data|order-events)(\.dlq)?$' 2>/dev/null || true; } |
        awk -F: '{ n[$1] += $3; p[$1]++ }
                 END { for (t in n) printf "  topic %-17s %d partitions, %d messages\n", t, p[t], n[t] }' |
        sort
}

status() {
    local rc=0
    status_line redis "$redis_port" redis_ok || rc=1
    status_line postgresql "$pg_port" pg_ok || rc=1
    if status_line rabbitmq "$rabbit_port" rabbit_ok; then rabbit_queues; else rc=1; fi
    # Only when started (`up haproxy`): it is not one of the brokers.
    if running_pid haproxy >/dev/null; then
        status_line haproxy "$haproxy_port" haproxy_ok && haproxy_backends
    fi
    if status_line kafka "$kafka_port" kafka_ok; then kafka_topics; else rc=1; fi
    return $rc
}

down() {
    haproxy_down
    kafka_down
    rabbit_down
    pg_down
    redis_down
    rm -f "$state"/*.pid
}

# The functions for a service name.
service_fn() {
    case $1 in
        redis) echo redis ;;
        postgresql) echo pg ;;
        rabbitmq) echo rabbit ;;
        kafka) echo kafka ;;
        haproxy) echo haproxy ;;
        *) echo "unknown service $1 (redis, postgresql, rabbitmq, kafka, haproxy)" >&2; exit 2 ;;
    esac
}

command=${1:-}
shift || true
case $command in
    up)
        install_packages
        mkdir -p "$state"
        if (($# == 0)); then
            redis_up
            pg_up
            rabbit_up
            kafka_up
            status
        else
            for name in "$@"; do "$(service_fn "$name")_up"; done
        fi
        ;;
    down)
        if (($# == 0)); then
            down
        else
            for name in "$@"; do "$(service_fn "$name")_down"; done
        fi
        ;;
    status) status ;;
    kafka-read)
        kafka_java org.apache.kafka.tools.consumer.ConsoleConsumer \
            --bootstrap-server "127.0.0.1:$kafka_port" --topic "${1:?kafka-read TOPIC}" \
            --from-beginning --timeout-ms 5000 --property print.key=true \
            --property key.separator=$'\t' 2>/dev/null
        ;;
    kafka-tool)
        kafka_java "$@"
        ;;
    haproxy-config)
        haproxy_config "$@"
        ;;
    reset)
        down
        rm -rf "$state/redis" "$state/postgres" "$state/rabbitmq" "$state/kafka/data"
        ;;
    *)
        echo "usage: $0 up|down|status|reset|kafka-read TOPIC|kafka-tool CLASS [ARGS...]" \
            "|haproxy-config PORT SOCKET GATEWAY..." >&2
        exit 2
        ;;
esac
