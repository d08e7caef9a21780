#include "xtrader/app/config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <iostream>

#include "xtrader/core/decimal.hpp"

namespace xtrader::app {

namespace {

// One overridable setting: its TOML path, environment variable, flag, and how to apply text.
struct Setting {
    const char* toml;  // "server.http_port"
    const char* env;
    const char* flag;
    const char* help;
    std::function<void(Config&, const std::string&)> apply;
};

double parse_double(const std::string& text, const std::string& name) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || value < 0) {
        throw ConfigError(name + ": \"" + text + "\" is not a valid non-negative number");
    }
    return value;
}

// A fraction ("0.1") in parts per million, at most 1.
std::uint32_t fraction(const std::string& text, const std::string& name) {
    std::int64_t ppm = 0;
    if (parse_decimal(text, 6, ppm) != DecimalError::Ok || ppm < 0 || ppm > 1'000'000) {
        throw ConfigError(name + ": \"" + text + "\" is not a fraction from 0 to 1");
    }
    return static_cast<std::uint32_t>(ppm);
}

Timestamp seconds(const std::string& text, const std::string& name) {
    const auto s = parse_number<std::uint32_t>(text, name);
    if (s == 0) throw ConfigError(name + " must be at least 1");
    return static_cast<Timestamp>(s) * 1'000'000'000;
}

}  // namespace

bool is_gateway_name(std::string_view name) noexcept {
    return !name.empty() && name.size() <= 64 &&
           name.find_first_not_of(
               "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
               "0123456789-_") == std::string_view::npos;
}

namespace {

const std::vector<Setting>& settings() {
    static const std::vector<Setting> all = {
        {"server.host", "XTRADER_HOST", "--host", "address to listen on",
         [](Config& c, const std::string& v) { c.host = v; }},
        {"server.http_port", "XTRADER_HTTP_PORT", "--http-port", "REST port (0: any free port)",
         [](Config& c, const std::string& v) {
             c.http_port = parse_number<unsigned short>(v, "http_port");
         }},
        {"server.ws_port", "XTRADER_WS_PORT", "--ws-port", "WebSocket port (0: any free port)",
         [](Config& c, const std::string& v) {
             c.ws_port = parse_number<unsigned short>(v, "ws_port");
         }},
        {"server.status_port", "XTRADER_STATUS_PORT", "--status-port",
         "status pages of a persister, mdp or surveillance process (0: none)",
         [](Config& c, const std::string& v) {
             c.status_port = parse_number<unsigned short>(v, "status_port");
         }},
        {"server.ws_send_queue", "XTRADER_WS_SEND_QUEUE", "--ws-send-queue",
         "messages queued for one WebSocket client before it is closed (1008)",
         [](Config& c, const std::string& v) {
             c.ws.send_queue_limit = parse_number<std::size_t>(v, "ws_send_queue");
         }},
        {"server.ws_send_queue_bytes", "XTRADER_WS_SEND_QUEUE_BYTES", "--ws-send-queue-bytes",
         "bytes queued for one WebSocket client (replies included) before it is closed (1008)",
         [](Config& c, const std::string& v) {
             c.ws.send_queue_bytes = parse_number<std::size_t>(v, "ws_send_queue_bytes");
             if (c.ws.send_queue_bytes < 64 * 1024) {
                 throw ConfigError("ws_send_queue_bytes must be at least 65536");
             }
         }},
        {"server.max_connections", "XTRADER_MAX_CONNECTIONS", "--max-connections",
         "open REST connections at most (beyond: 503 and closed)",
         [](Config& c, const std::string& v) {
             c.http.max_connections = parse_number<std::size_t>(v, "max_connections");
         }},
        {"server.ws_max_connections", "XTRADER_WS_MAX_CONNECTIONS", "--ws-max-connections",
         "open WebSocket connections at most (beyond: closed at once)",
         [](Config& c, const std::string& v) {
             c.ws.max_connections = parse_number<std::size_t>(v, "ws_max_connections");
         }},
        {"server.ws_send_buffer", "XTRADER_WS_SEND_BUFFER", "--ws-send-buffer",
         "kernel send buffer per WebSocket connection, bytes (0: the OS default)",
         [](Config& c, const std::string& v) {
             c.ws.socket_send_buffer = parse_number<std::size_t>(v, "ws_send_buffer");
         }},
        {"server.ws_idle_timeout_s", "XTRADER_WS_IDLE_TIMEOUT", "--ws-idle-timeout",
         "seconds a silent WebSocket connection stays open (it is pinged meanwhile)",
         [](Config& c, const std::string& v) {
             c.ws.idle_timeout =
                 std::chrono::seconds(parse_number<unsigned>(v, "ws_idle_timeout_s"));
         }},
        {"server.io_threads", "XTRADER_IO_THREADS", "--io-threads", "io threads (0: one per core)",
         [](Config& c, const std::string& v) {
             c.io_threads = parse_number<unsigned>(v, "io_threads");
         }},
        {"server.body_limit", "XTRADER_BODY_LIMIT", "--body-limit", "largest request body, bytes",
         [](Config& c, const std::string& v) {
             c.http.body_limit = parse_number<std::size_t>(v, "body_limit");
         }},
        {"server.read_timeout_s", "XTRADER_READ_TIMEOUT", "--read-timeout",
         "seconds for a request or an idle connection",
         [](Config& c, const std::string& v) {
             c.http.read_timeout =
                 std::chrono::seconds(parse_number<unsigned>(v, "read_timeout_s"));
         }},
        {"server.web_root", "XTRADER_WEB_ROOT", "--web-root", "static files served at /",
         [](Config& c, const std::string& v) { c.rest.web_root = v; }},
        {"engine.data_dir", "XTRADER_DATA_DIR", "--data-dir", "journal and snapshots directory",
         [](Config& c, const std::string& v) { c.sequencer.data_dir = v; }},
        {"engine.fsync", "XTRADER_FSYNC", "--fsync", "always | batch | none",
         [](Config& c, const std::string& v) {
             const auto policy = parse_fsync_policy(v);
             if (!policy) throw ConfigError("fsync: \"" + v + "\" is not always, batch or none");
             c.sequencer.fsync = *policy;
         }},
        {"engine.queue_capacity", "XTRADER_QUEUE_CAPACITY", "--queue-capacity",
         "commands waiting for the sequencer before 503",
         [](Config& c, const std::string& v) {
             c.sequencer.queue_capacity = parse_number<std::size_t>(v, "queue_capacity");
             if (c.sequencer.queue_capacity == 0) throw ConfigError("queue_capacity must be > 0");
         }},
        {"engine.max_batch", "XTRADER_MAX_BATCH", "--max-batch", "commands per sequencer batch",
         [](Config& c, const std::string& v) {
             c.sequencer.max_batch = parse_number<std::size_t>(v, "max_batch");
             if (c.sequencer.max_batch == 0) throw ConfigError("max_batch must be > 0");
         }},
        {"engine.snapshot_every", "XTRADER_SNAPSHOT_EVERY", "--snapshot-every",
         "commands between snapshots (0: only at shutdown)",
         [](Config& c, const std::string& v) {
             c.sequencer.snapshot_every = parse_number<std::uint64_t>(v, "snapshot_every");
         }},
        {"api.admin_token", "XTRADER_ADMIN_TOKEN", "--admin-token",
         "X-Admin-Token of the admin routes (empty: one is made in the data directory)",
         [](Config& c, const std::string& v) { c.admin_token = v; }},
        {"api.admin_routes", "XTRADER_ADMIN_ROUTES", "--admin-routes",
         "true | false: false closes every admin route",
         [](Config& c, const std::string& v) {
             if (v != "true" && v != "false") throw ConfigError("admin_routes: true or false");
             c.admin_routes = v == "true";
         }},
        {"api.auth_failures_per_minute", "XTRADER_AUTH_FAILURES", "--auth-failures",
         "failed authentications per client address and minute before 429 (0: no limit)",
         [](Config& c, const std::string& v) {
             c.auth_failures_per_minute =
                 parse_number<std::uint32_t>(v, "auth_failures_per_minute");
         }},
        {"api.rate_limit_per_second", "XTRADER_RATE_LIMIT", "--rate-limit",
         "requests per second per API key (0: unlimited)",
         [](Config& c, const std::string& v) {
             c.rest.rate_limit_per_second = parse_double(v, "rate_limit_per_second");
         }},
        {"api.rate_limit_burst", "XTRADER_RATE_BURST", "--rate-burst", "burst per API key",
         [](Config& c, const std::string& v) {
             c.rest.rate_limit_burst = std::max(1.0, parse_double(v, "rate_limit_burst"));
         }},
        {"api.finished_orders_kept", "XTRADER_FINISHED_ORDERS_KEPT", "--finished-orders-kept",
         "finished orders kept in memory for GET /v1/order(s); older ones are read from the store",
         [](Config& c, const std::string& v) {
             c.rest.finished_orders_kept = parse_number<std::size_t>(v, "finished_orders_kept");
         }},
        {"log.level", "XTRADER_LOG_LEVEL", "--log-level", "trace | debug | info | warn | error",
         [](Config& c, const std::string& v) { c.log_level = v; }},
        {"process.role", "XTRADER_ROLE", "--role",
         "exchange | persister | mdp | ws-gateway | surveillance",
         [](Config& c, const std::string& v) {
             if (v == "exchange") {
                 c.role = Role::Exchange;
             } else if (v == "persister") {
                 c.role = Role::Persister;
             } else if (v == "mdp") {
                 c.role = Role::Mdp;
             } else if (v == "ws-gateway") {
                 c.role = Role::WsGateway;
             } else if (v == "surveillance") {
                 c.role = Role::Surveillance;
             } else {
                 throw ConfigError("role: \"" + v +
                                   "\" is not exchange, persister, mdp, ws-gateway or surveillance");
             }
         }},
        {"pipelines.probe_interval_ms", "XTRADER_PROBE_INTERVAL", "--probe-interval",
         "ms between health probes of a broker that is down",
         [](Config& c, const std::string& v) {
             c.pipelines.probe_interval =
                 std::chrono::milliseconds(parse_number<unsigned>(v, "probe_interval_ms"));
         }},
        {"pipelines.disk_budget_mb", "XTRADER_DISK_BUDGET", "--disk-budget",
         "MiB of journal a publisher may hold back before the alarm (0: none)",
         [](Config& c, const std::string& v) {
             c.pipelines.disk_budget = parse_number<std::uint64_t>(v, "disk_budget_mb") << 20;
         }},
        {"rabbitmq.url", "XTRADER_RABBITMQ", "--rabbitmq",
         "amqp://USER:PASSWORD@HOST:PORT/VHOST of RabbitMQ for the notification pipeline "
         "(empty: off)",
         [](Config& c, const std::string& v) {
             if (v.empty()) {
                 c.pipelines.rabbitmq.reset();
                 return;
             }
             std::string error;
             auto endpoint = parse_amqp_url(v, error);
             if (!endpoint) throw ConfigError("rabbitmq.url: " + error);
             c.pipelines.rabbitmq = std::move(*endpoint);
         }},
        {"rabbitmq.exchange", "XTRADER_RABBITMQ_EXCHANGE", "--rabbitmq-exchange",
         "the topic exchange of executions and book changes (execution.SYM, orderbook.SYM)",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("rabbitmq.exchange must not be empty");
             c.pipelines.rabbitmq_publisher.exchange = v;
         }},
        {"rabbitmq.gateways", "XTRADER_WS_GATEWAYS", "--ws-gateways",
         "true: WebSocket gateways (--role ws-gateway) serve the clients, the exchange none",
         [](Config& c, const std::string& v) {
             if (v != "true" && v != "false") throw ConfigError("gateways: true or false");
             c.pipelines.ws_gateways = v == "true";
         }},
        {"rabbitmq.gateway_name", "XTRADER_GATEWAY_NAME", "--gateway-name",
         "role ws-gateway: this gateway's name, its queue ws-gateway.NAME",
         [](Config& c, const std::string& v) {
             if (!is_gateway_name(v)) {
                 throw ConfigError("gateway_name: 1 to 64 letters, digits, - or _");
             }
             c.pipelines.gateway_name = v;
         }},
        {"kafka.brokers", "XTRADER_KAFKA", "--kafka",
         "host:port[,...] of Kafka for the market-data pipeline (empty: off)",
         [](Config& c, const std::string& v) { c.pipelines.kafka.producer.brokers = v; }},
        {"kafka.market_data_topic", "XTRADER_KAFKA_TOPIC", "--kafka-topic",
         "the topic of executions and book changes, keyed by symbol",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.market_data_topic must not be empty");
             c.pipelines.kafka.market_data.name = v;
         }},
        {"kafka.partitions", "XTRADER_KAFKA_PARTITIONS", "--kafka-partitions",
         "partitions of a topic xtraderd creates",
         [](Config& c, const std::string& v) {
             c.pipelines.kafka.market_data.partitions = parse_number<int>(v, "partitions");
             if (c.pipelines.kafka.market_data.partitions < 1) {
                 throw ConfigError("kafka.partitions must be at least 1");
             }
         }},
        {"kafka.replication", "XTRADER_KAFKA_REPLICATION", "--kafka-replication",
         "replication factor of a topic xtraderd creates",
         [](Config& c, const std::string& v) {
             c.pipelines.kafka.market_data.replication = parse_number<int>(v, "replication");
             if (c.pipelines.kafka.market_data.replication < 1) {
                 throw ConfigError("kafka.replication must be at least 1");
             }
         }},
        {"kafka.mdp_group", "XTRADER_KAFKA_MDP_GROUP", "--kafka-mdp-group",
         "the consumer group that feeds market data from the topic",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.mdp_group must not be empty");
             c.pipelines.mdp_group = v;
         }},
        {"kafka.order_events_topic", "XTRADER_KAFKA_ORDER_TOPIC", "--kafka-order-topic",
         "the topic of every order's changes, keyed by account",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.order_events_topic must not be empty");
             c.pipelines.kafka.order_events.name = v;
         }},
        {"kafka.alerts_topic", "XTRADER_KAFKA_ALERTS_TOPIC", "--kafka-alerts-topic",
         "the topic of surveillance alerts, keyed by symbol",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.alerts_topic must not be empty");
             c.pipelines.kafka.surveillance_alerts.name = v;
         }},
        {"kafka.order_history_group", "XTRADER_KAFKA_ORDER_HISTORY_GROUP",
         "--kafka-order-history-group",
         "the consumer group that writes order-events into PostgreSQL",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.order_history_group must not be empty");
             c.pipelines.order_history_group = v;
         }},
        {"kafka.mdp", "XTRADER_KAFKA_MDP", "--kafka-mdp",
         "thread (xtraderd is the mdp-group) | processes (--role mdp processes are)",
         [](Config& c, const std::string& v) {
             if (v != "thread" && v != "processes") {
                 throw ConfigError("kafka.mdp: \"" + v + "\" is not thread or processes");
             }
             c.pipelines.mdp_in_process = v == "thread";
         }},
        {"surveillance.run", "XTRADER_SURVEILLANCE", "--surveillance",
         "full mode: thread (xtraderd runs the regulatory and analytics groups) | processes "
         "(--role surveillance processes do)",
         [](Config& c, const std::string& v) {
             if (v != "thread" && v != "processes") {
                 throw ConfigError("surveillance.run: \"" + v + "\" is not thread or processes");
             }
             c.pipelines.surveillance_run =
                 v == "thread" ? SurveillanceRun::Thread : SurveillanceRun::Processes;
         }},
        {"surveillance.group", "XTRADER_SURVEILLANCE_GROUP", "--group",
         "role surveillance: its group (regulatory | analytics | exchange-sync)",
         [](Config& c, const std::string& v) {
             const auto group = parse_surveillance_group(v);
             if (!group) {
                 throw ConfigError("group: \"" + v +
                                   "\" is not regulatory, analytics or exchange-sync");
             }
             c.pipelines.surveillance_group = *group;
         }},
        {"surveillance.group_prefix", "XTRADER_SURVEILLANCE_GROUP_PREFIX",
         "--surveillance-group-prefix",
         "prefixed to the Kafka group ids regulatory and analytics (several exchanges, one cluster)",
         [](Config& c, const std::string& v) { c.pipelines.surveillance_group_prefix = v; }},
        {"surveillance.warm_up_s", "XTRADER_SURVEILLANCE_WARM_UP", "--surveillance-warm-up",
         "seconds of the topics a surveillance member reads again when it takes partitions",
         [](Config& c, const std::string& v) {
             c.pipelines.surveillance_warm_up =
                 std::chrono::seconds(parse_number<unsigned>(v, "warm_up_s"));
         }},
        {"surveillance.deviation_bps", "XTRADER_DEVIATION_BPS", "--deviation-bps",
         "exchange-sync: our price this many basis points from a venue's is a deviation",
         [](Config& c, const std::string& v) {
             c.exchange_sync.deviation_bps = parse_number<std::uint32_t>(v, "deviation_bps");
         }},
        {"surveillance.deviation_s", "XTRADER_DEVIATION_S", "--deviation-s",
         "exchange-sync: ... when it lasts this many seconds",
         [](Config& c, const std::string& v) {
             c.exchange_sync.deviation_for =
                 std::chrono::seconds(parse_number<unsigned>(v, "deviation_s"));
         }},
        {"surveillance.venue_poll_ms", "XTRADER_VENUE_POLL_MS", "--venue-poll-ms",
         "exchange-sync: ms between two polls of each venue",
         [](Config& c, const std::string& v) {
             const auto ms = parse_number<unsigned>(v, "venue_poll_ms");
             if (ms < 100) throw ConfigError("venue_poll_ms must be at least 100");
             c.exchange_sync.poll_interval = std::chrono::milliseconds(ms);
         }},
        {"surveillance.venue_timeout_ms", "XTRADER_VENUE_TIMEOUT_MS", "--venue-timeout-ms",
         "exchange-sync: a venue's answer is awaited this long",
         [](Config& c, const std::string& v) {
             c.exchange_sync.timeout =
                 std::chrono::milliseconds(parse_number<unsigned>(v, "venue_timeout_ms"));
         }},
        {"surveillance.wash_ring_trades", "XTRADER_WASH_RING_TRADES", "--wash-ring-trades",
         "a wash ring: at least this many trades between two accounts within the window",
         [](Config& c, const std::string& v) {
             c.surveillance.wash.ring_trades = parse_number<std::size_t>(v, "wash_ring_trades");
         }},
        {"surveillance.wash_ring_window_s", "XTRADER_WASH_RING_WINDOW", "--wash-ring-window",
         "a wash ring's window, seconds",
         [](Config& c, const std::string& v) {
             c.surveillance.wash.ring_window = seconds(v, "wash_ring_window_s");
         }},
        {"surveillance.wash_ring_net", "XTRADER_WASH_RING_NET", "--wash-ring-net",
         "a wash ring: net position change at most this fraction of the quantity traded",
         [](Config& c, const std::string& v) {
             c.surveillance.wash.ring_net_ppm = fraction(v, "wash_ring_net");
         }},
        {"surveillance.wash_ring_share", "XTRADER_WASH_RING_SHARE", "--wash-ring-share",
         "a wash ring: the pair's trades at least this fraction of what each account traded",
         [](Config& c, const std::string& v) {
             c.surveillance.wash.ring_share_ppm = fraction(v, "wash_ring_share");
         }},
        {"surveillance.whale_share", "XTRADER_WHALE_SHARE", "--whale-share",
         "a whale: part in at least this fraction of a market's notional over 24 h",
         [](Config& c, const std::string& v) {
             c.surveillance.whale.share_ppm = fraction(v, "whale_share");
         }},
        {"surveillance.whale_min_trades", "XTRADER_WHALE_MIN_TRADES", "--whale-min-trades",
         "trades in a market's 24 h before any share counts",
         [](Config& c, const std::string& v) {
             c.surveillance.whale.min_trades = parse_number<std::size_t>(v, "whale_min_trades");
         }},
        {"surveillance.whale_order_multiple", "XTRADER_WHALE_ORDER_MULTIPLE",
         "--whale-order-multiple", "a whale order: at least this many times the median order",
         [](Config& c, const std::string& v) {
             c.surveillance.whale.order_multiple =
                 parse_number<std::uint32_t>(v, "whale_order_multiple");
         }},
        {"surveillance.whale_min_orders", "XTRADER_WHALE_MIN_ORDERS", "--whale-min-orders",
         "orders of a market seen before the median counts",
         [](Config& c, const std::string& v) {
             c.surveillance.whale.min_orders = parse_number<std::size_t>(v, "whale_min_orders");
         }},
        {"surveillance.spoofing_size_multiple", "XTRADER_SPOOFING_SIZE_MULTIPLE",
         "--spoofing-size-multiple", "a large order: this many times the average order",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.size_multiple =
                 parse_number<std::uint32_t>(v, "spoofing_size_multiple");
         }},
        {"surveillance.spoofing_touch_ticks", "XTRADER_SPOOFING_TOUCH_TICKS",
         "--spoofing-touch-ticks", "a large order near the touch: within this many ticks",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.touch_ticks =
                 parse_number<std::int64_t>(v, "spoofing_touch_ticks");
         }},
        {"surveillance.spoofing_cancel_ms", "XTRADER_SPOOFING_CANCEL_MS", "--spoofing-cancel-ms",
         "a fast cancel: unfilled within this many ms of the placing",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.cancel_within =
                 parse_number<Timestamp>(v, "spoofing_cancel_ms") * kNanosPerMilli;
         }},
        {"surveillance.spoofing_window_s", "XTRADER_SPOOFING_WINDOW", "--spoofing-window",
         "spoofing's window, seconds",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.window = seconds(v, "spoofing_window_s");
         }},
        {"surveillance.spoofing_min_orders", "XTRADER_SPOOFING_MIN_ORDERS",
         "--spoofing-min-orders", "spoofing: at least this many large orders on one side",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.min_orders =
                 parse_number<std::size_t>(v, "spoofing_min_orders");
         }},
        {"surveillance.spoofing_cancelled", "XTRADER_SPOOFING_CANCELLED", "--spoofing-cancelled",
         "spoofing: at least this fraction of the large orders cancelled fast",
         [](Config& c, const std::string& v) {
             c.surveillance.spoofing.cancelled_ppm = fraction(v, "spoofing_cancelled");
         }},
        {"kafka.market_data_cache", "XTRADER_MARKET_DATA_CACHE", "--market-data-cache",
         "the Redis key prefix of the market-data cache that --role mdp writes",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("kafka.market_data_cache must not be empty");
             c.pipelines.market_data_cache = v;
         }},
        {"kafka.linger_ms", "XTRADER_KAFKA_LINGER", "--kafka-linger",
         "ms the producer waits to fill a batch (latency for throughput)",
         [](Config& c, const std::string& v) {
             c.pipelines.kafka.producer.linger =
                 std::chrono::milliseconds(parse_number<unsigned>(v, "linger_ms"));
         }},
        {"kafka.batch_bytes", "XTRADER_KAFKA_BATCH_BYTES", "--kafka-batch-bytes",
         "largest producer batch per partition, bytes",
         [](Config& c, const std::string& v) {
             c.pipelines.kafka.producer.batch_bytes = parse_number<std::size_t>(v, "batch_bytes");
         }},
        {"kafka.compression", "XTRADER_KAFKA_COMPRESSION", "--kafka-compression",
         "none | lz4 | zstd",
         [](Config& c, const std::string& v) {
             try {
                 c.pipelines.kafka.producer.compression = parse_kafka_compression(v);
             } catch (const KafkaError& e) {
                 throw ConfigError(e.what());
             }
         }},
        {"redis.address", "XTRADER_REDIS", "--redis",
         "host:port of Redis for the persistence pipeline (empty: off)",
         [](Config& c, const std::string& v) {
             c.pipelines.redis = v;
             if (!v.empty()) c.pipelines.redis_endpoint();  // checks the form
         }},
        {"redis.stream", "XTRADER_REDIS_STREAM", "--redis-stream",
         "the executions stream (its dead letters go to <stream>.dlq)",
         [](Config& c, const std::string& v) {
             if (v.empty()) throw ConfigError("redis.stream must not be empty");
             c.pipelines.persister.stream = v;
             c.pipelines.persister.dead_letters = v + ".dlq";
         }},
        {"redis.stream_max_length", "XTRADER_STREAM_MAX_LENGTH", "--stream-max-length",
         "XADD MAXLEN ~ of the executions stream",
         [](Config& c, const std::string& v) {
             c.pipelines.stream_max_length = parse_number<std::size_t>(v, "stream_max_length");
         }},
        {"postgres.dsn", "XTRADER_POSTGRES", "--postgres",
         "libpq connection string of PostgreSQL (empty: off)",
         [](Config& c, const std::string& v) { c.pipelines.postgres = v; }},
        {"persister.consumers", "XTRADER_PERSISTER_CONSUMERS", "--persister-consumers",
         "persister threads in the exchange process (0: run them with --role persister)",
         [](Config& c, const std::string& v) {
             c.pipelines.persister_consumers = parse_number<std::size_t>(v, "consumers");
         }},
        {"persister.consumer_name", "XTRADER_CONSUMER_NAME", "--consumer-name",
         "this persister's name in the consumer group (role persister)",
         [](Config& c, const std::string& v) { c.pipelines.consumer_name = v; }},
        {"persister.batch", "XTRADER_PERSISTER_BATCH", "--persister-batch",
         "entries per XREADGROUP and per PostgreSQL transaction",
         [](Config& c, const std::string& v) {
             c.pipelines.persister.batch = parse_number<std::size_t>(v, "batch");
             if (c.pipelines.persister.batch == 0) throw ConfigError("batch must be > 0");
         }},
        {"persister.claim_idle_ms", "XTRADER_CLAIM_IDLE", "--claim-idle",
         "ms an entry stays pending to a silent consumer before another claims it",
         [](Config& c, const std::string& v) {
             c.pipelines.persister.claim_idle =
                 std::chrono::milliseconds(parse_number<unsigned>(v, "claim_idle_ms"));
         }},
        {"persister.max_deliveries", "XTRADER_MAX_DELIVERIES", "--max-deliveries",
         "deliveries of one entry before it goes to executions.dlq",
         [](Config& c, const std::string& v) {
             c.pipelines.persister.max_deliveries =
                 parse_number<std::uint32_t>(v, "max_deliveries");
         }},
    };
    return all;
}

// The configured accounts with their keys as the daemon checks them: a plain key (the demo
// accounts) is hashed, a configured digest is taken as it is.
std::vector<ConfiguredAccount> load_accounts(const config::ConfigFile& file) {
    std::vector<ConfiguredAccount> out;
    for (auto& entry : file.accounts()) {
        const std::string where = "accounts." + entry.name;
        ConfiguredAccount demo;
        demo.name = entry.name;
        demo.id = entry.id;
        demo.api_key = entry.api_key;
        if (!entry.api_key.empty()) demo.key_digest = api::sha256(entry.api_key);
        if (!entry.api_key_sha256.empty()) {
            demo.key_digest = api::digest_from_hex(entry.api_key_sha256);
            if (!demo.key_digest) {
                throw ConfigError(where + ".api_key_sha256: 64 hex digits (sha256sum of the key)");
            }
        }
        if (!entry.scope.empty()) {
            const auto scope = api::parse_key_scope(entry.scope);
            if (!scope) throw ConfigError(where + ".scope: \"trading\" or \"read_only\"");
            demo.scope = *scope;
        }
        for (const auto& other : out) {
            if (other.key_digest && other.key_digest == demo.key_digest) {
                throw ConfigError(where + ": api_key used twice");
            }
        }
        demo.deposit = std::move(entry.deposit);
        out.push_back(std::move(demo));
    }
    return out;
}

// [surveillance.markets.SYMBOL] (amounts in the quote asset) and the accounts' owners.
void load_surveillance(const config::ConfigFile& file, Config& config) {
    auto& s = config.surveillance;
    const auto& catalog = config.catalog;
    s.large_trade.assign(catalog.markets.size(), 0);
    s.whale.min_market_notional.assign(catalog.markets.size(), 0);
    for (std::size_t i = 0; i < catalog.markets.size(); ++i) {
        const auto& m = catalog.markets[i];
        const int scale = catalog.assets[m.quote].scale;
        const auto amount = [&](const char* key, Amount& out) {
            const std::string path = "surveillance.markets." + m.symbol + "." + key;
            const auto text = file.value(path);
            if (!text) return;
            if (parse_decimal(*text, scale, out) != DecimalError::Ok || out < 0) {
                throw ConfigError(path + ": \"" + *text + "\" is not an amount of " +
                                  catalog.assets[m.quote].name);
            }
        };
        amount("large_trade", s.large_trade[i]);
        amount("whale_min_notional", s.whale.min_market_notional[i]);
    }
    for (const auto& entry : file.venues()) {
        const std::string where = "venues." + entry.name;
        VenueConfig venue;
        venue.name = entry.name;
        const auto kind = parse_venue_kind(entry.kind);
        if (!kind) throw ConfigError(where + ".kind: upbit, binance or generic");
        venue.kind = *kind;
        if (!entry.url.starts_with("http://")) {
            throw ConfigError(where +
                              ".url: http://host[:port][/path] (for https, a local "
                              "TLS proxy; docs/SURVEILLANCE.md)");
        }
        venue.url = entry.url;
        if (!entry.fee.empty()) venue.fee_ppm = fraction(entry.fee, where + ".fee");
        for (const auto& [ours, theirs] : entry.symbols) {
            const MarketSpec* m = catalog.find(ours);
            if (m == nullptr) throw ConfigError(where + ".symbols: unknown market " + ours);
            venue.symbols.emplace_back(static_cast<MarketId>(m - catalog.markets.data()), theirs);
        }
        if (venue.symbols.empty()) throw ConfigError(where + ".symbols: none");
        config.exchange_sync.venues.push_back(std::move(venue));
    }
    std::map<std::string, std::uint32_t> owners;
    for (const auto& account : file.accounts()) {
        if (account.owner.empty()) continue;
        const auto id = owners.emplace(account.owner, owners.size()).first->second;
        s.wash.owner[account.id] = id;
    }
}

}  // namespace

RedisEndpoint PipelineConfig::redis_endpoint() const {
    const auto colon = redis.rfind(':');
    if (colon == std::string::npos || colon == 0) {
        throw ConfigError("redis: \"" + redis + "\" is not host:port");
    }
    RedisEndpoint endpoint;
    endpoint.host = redis.substr(0, colon);
    endpoint.port = parse_number<int>(redis.substr(colon + 1), "redis port");
    return endpoint;
}

PersisterOptions PipelineConfig::persister_options() const {
    PersisterOptions options = persister;
    options.redis = redis_endpoint();
    options.postgres = postgres;
    return options;
}

KafkaPublisherOptions PipelineConfig::kafka_publisher_options() const {
    KafkaPublisherOptions options = kafka;
    // kafka.partitions and kafka.replication are for both topics.
    const int replication = kafka.market_data.replication;
    options.order_events.partitions = kafka.market_data.partitions;
    options.order_events.replication = replication;
    options.market_data_dead_letters = {kafka.market_data.name + ".dlq", 1, replication};
    options.order_events_dead_letters = {kafka.order_events.name + ".dlq", 1, replication};
    options.surveillance_alerts.partitions = kafka.market_data.partitions;
    options.surveillance_alerts.replication = replication;
    return options;
}

namespace {

TopicConsumerOptions consumer_options(const std::string& brokers, const std::string& group,
                                      std::vector<std::string> topics) {
    TopicConsumerOptions options;
    options.consumer.brokers = brokers;
    options.consumer.group = group;
    options.topics = std::move(topics);
    return options;
}

}  // namespace

TopicConsumerOptions PipelineConfig::mdp_consumer_options() const {
    return consumer_options(kafka.producer.brokers, mdp_group, {kafka.market_data.name});
}

TopicConsumerOptions PipelineConfig::order_history_consumer_options() const {
    return consumer_options(kafka.producer.brokers, order_history_group, {kafka.order_events.name});
}

TopicConsumerOptions PipelineConfig::surveillance_consumer_options(SurveillanceGroup group) const {
    std::vector<std::string> topics{kafka.market_data.name};
    if (group == SurveillanceGroup::Analytics) topics.push_back(kafka.order_events.name);
    return consumer_options(kafka.producer.brokers,
                            surveillance_group_prefix + std::string(to_string(group)),
                            std::move(topics));
}

std::string usage() {
    std::string text =
        "usage: xtraderd [--config FILE] [settings...]\n\n"
        "Runs the xtrader exchange: REST on --http-port, matching, journal and recovery;\n"
        "with --role persister, one consumer of the persistence pipeline.\n"
        "Settings come from the TOML file (default config/xtrader.toml), then from the\n"
        "environment, then from these flags:\n\n"
        "  --config FILE            XTRADER_CONFIG\n";
    for (const auto& s : settings()) {
        char line[160];
        std::snprintf(line, sizeof line, "  %-24s %-24s %s [%s]\n",
                      (std::string(s.flag) + " V").c_str(), s.env, s.help, s.toml);
        text += line;
    }
    text += "  --help                   this text\n";
    return text;
}

std::optional<Config> load_config(int argc, char** argv) {
    std::vector<std::pair<std::string, std::string>> flags;
    std::filesystem::path file = "config/xtrader.toml";
    if (const char* env = std::getenv("XTRADER_CONFIG")) file = env;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << usage();
            return std::nullopt;
        }
        std::string value;
        if (const auto eq = arg.find('='); eq != std::string::npos) {
            value = arg.substr(eq + 1);
            arg = arg.substr(0, eq);
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            throw ConfigError(arg + " needs a value (see --help)");
        }
        if (arg == "--config") {
            file = value;
        } else {
            flags.emplace_back(arg, value);
        }
    }

    Config config;
    config.config_file = file;
    config.sequencer.data_dir = "data";
    const auto config_file = config::ConfigFile::load(file);
    for (const auto& s : settings()) {
        if (const auto text = config_file.value(s.toml)) {
            try {
                s.apply(config, *text);
            } catch (const ConfigError& e) {
                throw ConfigError(file.string() + ": " + s.toml + ": " + e.what());
            }
        }
    }
    config.catalog = config_file.markets();
    config.accounts = load_accounts(config_file);
    load_surveillance(config_file, config);
    for (const auto& s : settings()) {
        if (const char* env = std::getenv(s.env)) s.apply(config, env);
    }
    for (const auto& [flag, value] : flags) {
        const auto& all = settings();
        const auto it =
            std::find_if(all.begin(), all.end(), [&](const Setting& s) { return flag == s.flag; });
        if (it == all.end()) throw ConfigError("unknown flag " + flag + " (see --help)");
        it->apply(config, value);
    }
    return config;
}

}  // namespace xtrader::app
