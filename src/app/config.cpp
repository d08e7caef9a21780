#include "xtrader/app/config.hpp"

#include <toml++/toml.h>

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

template <class T>
T parse_number(const std::string& text, const std::string& name) {
    T value{};
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc{} || end != text.data() + text.size()) {
        throw ConfigError(name + ": \"" + text + "\" is not a valid number");
    }
    return value;
}

double parse_double(const std::string& text, const std::string& name) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (text.empty() || *end != '\0' || value < 0) {
        throw ConfigError(name + ": \"" + text + "\" is not a valid non-negative number");
    }
    return value;
}

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
        {"log.level", "XTRADER_LOG_LEVEL", "--log-level", "trace | debug | info | warn | error",
         [](Config& c, const std::string& v) { c.log_level = v; }},
        {"process.role", "XTRADER_ROLE", "--role", "exchange | persister",
         [](Config& c, const std::string& v) {
             if (v == "exchange") {
                 c.role = Role::Exchange;
             } else if (v == "persister") {
                 c.role = Role::Persister;
             } else {
                 throw ConfigError("role: \"" + v + "\" is not exchange or persister");
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

std::string node_text(const toml::node& node) {
    if (const auto* s = node.as_string()) return s->get();
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (const auto* f = node.as_floating_point()) {
        throw ConfigError("write decimals as strings (\"0.0005\"), not floating point: " +
                          std::to_string(f->get()));
    }
    throw ConfigError("expected a scalar value");
}

std::string required(const toml::table& table, const char* key, const std::string& where) {
    const auto* node = table.get(key);
    if (node == nullptr) throw ConfigError(where + ": missing \"" + key + "\"");
    try {
        return node_text(*node);
    } catch (const ConfigError& e) {
        throw ConfigError(where + "." + key + ": " + e.what());
    }
}

std::int64_t decimal(const std::string& text, int scale, const std::string& where) {
    std::int64_t value = 0;
    if (const auto e = parse_decimal(text, scale, value); e != DecimalError::Ok) {
        throw ConfigError(where + ": \"" + text + "\" " + std::string(to_string(e)) + " (scale " +
                          std::to_string(scale) + ")");
    }
    return value;
}

void load_catalog(const toml::table& root, Config& config) {
    const auto* assets = root["assets"].as_array();
    const auto* markets = root["markets"].as_array();
    if (assets == nullptr || markets == nullptr) {
        throw ConfigError("the configuration needs [[assets]] and [[markets]]");
    }
    for (const auto& node : *assets) {
        const auto& t = *node.as_table();
        const std::string where = "assets." + required(t, "name", "assets");
        config.catalog.assets.push_back(
            {required(t, "name", where), parse_number<int>(required(t, "scale", where), where)});
    }
    const auto asset_id = [&](const std::string& name, const std::string& where) {
        for (AssetId i = 0; i < config.catalog.assets.size(); ++i) {
            if (config.catalog.assets[i].name == name) return i;
        }
        throw ConfigError(where + ": unknown asset \"" + name + "\"");
    };
    for (const auto& node : *markets) {
        const auto& t = *node.as_table();
        MarketSpec m;
        m.symbol = required(t, "symbol", "markets");
        const std::string where = "markets." + m.symbol;
        m.base = asset_id(required(t, "base", where), where);
        m.quote = asset_id(required(t, "quote", where), where);
        m.price_scale = parse_number<int>(required(t, "price_decimals", where), where);
        m.qty_scale = parse_number<int>(required(t, "quantity_decimals", where), where);
        m.tick_size = decimal(required(t, "tick_size", where), m.price_scale, where + ".tick_size");
        m.lot_size = decimal(required(t, "lot_size", where), m.qty_scale, where + ".lot_size");
        m.min_quantity =
            decimal(required(t, "min_quantity", where), m.qty_scale, where + ".min_quantity");
        m.max_quantity =
            decimal(required(t, "max_quantity", where), m.qty_scale, where + ".max_quantity");
        m.max_price = decimal(required(t, "max_price", where), m.price_scale, where + ".max_price");
        m.maker_fee_ppm = static_cast<std::uint32_t>(
            decimal(required(t, "maker_fee", where), 6, where + ".maker_fee"));
        m.taker_fee_ppm = static_cast<std::uint32_t>(
            decimal(required(t, "taker_fee", where), 6, where + ".taker_fee"));
        config.catalog.markets.push_back(m);
    }
    if (auto error = config.catalog.validate(); !error.empty()) throw ConfigError(error);
}

void load_accounts(const toml::table& root, Config& config) {
    const auto* accounts = root["accounts"].as_array();
    if (accounts == nullptr) return;
    for (const auto& node : *accounts) {
        const auto& t = *node.as_table();
        DemoAccount demo;
        demo.account.name = required(t, "name", "accounts");
        const std::string where = "accounts." + demo.account.name;
        // A plain key (the demo accounts) or only its SHA-256, as real accounts are configured.
        if (const auto* key = t.get("api_key")) {
            demo.account.api_key = node_text(*key);
            if (demo.account.api_key.size() < 12) {
                throw ConfigError(where + ".api_key: at least 12 characters");
            }
            demo.account.key_digest = api::sha256(demo.account.api_key);
        }
        if (const auto* digest = t.get("api_key_sha256")) {
            if (demo.account.key_digest) {
                throw ConfigError(where + ": api_key or api_key_sha256, not both");
            }
            demo.account.key_digest = api::digest_from_hex(node_text(*digest));
            if (!demo.account.key_digest) {
                throw ConfigError(where + ".api_key_sha256: 64 hex digits (sha256sum of the key)");
            }
        }
        if (const auto* scope = t.get("scope")) {
            const auto parsed = api::parse_key_scope(node_text(*scope));
            if (!parsed) throw ConfigError(where + ".scope: \"trading\" or \"read_only\"");
            demo.account.scope = *parsed;
        }
        demo.account.id = parse_number<AccountId>(required(t, "id", where), where + ".id");
        if (demo.account.id == kFeeAccount) throw ConfigError(where + ": id 0 is the fee account");
        if (const auto* deposit = t["deposit"].as_table()) {
            for (const auto& [asset, amount] : *deposit) {
                demo.deposit[std::string(asset.str())] = node_text(amount);
            }
        }
        for (const auto& other : config.accounts) {
            if (other.account.id == demo.account.id ||
                (other.account.key_digest && other.account.key_digest == demo.account.key_digest)) {
                throw ConfigError(where + ": id or api_key used twice");
            }
        }
        config.accounts.push_back(demo);
    }
}

// Overlays `top` on `base`: tables merge key by key, anything else replaces.
void merge(toml::table& base, const toml::table& top) {
    for (const auto& [key, node] : top) {
        auto* mine = base.get(key);
        if (mine != nullptr && mine->is_table() && node.is_table()) {
            merge(*mine->as_table(), *node.as_table());
        } else {
            base.insert_or_assign(key, node);
        }
    }
}

// A file may start from another: `include = "xtrader.toml"` (relative to its own directory)
// is read first and the file's own settings override it.
toml::table parse_config_file(const std::filesystem::path& file, int depth = 0) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(file.string() + ": " + std::string(e.description()));
    }
    const auto include = root["include"].value<std::string>();
    if (!include) return root;
    if (depth > 4) throw ConfigError(file.string() + ": includes nest too deep");
    toml::table base = parse_config_file(file.parent_path() / *include, depth + 1);
    root.erase("include");
    merge(base, root);
    return base;
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
    const toml::table root = parse_config_file(file);
    for (const auto& s : settings()) {
        if (const auto* node = root.at_path(s.toml).node()) {
            try {
                s.apply(config, node_text(*node));
            } catch (const ConfigError& e) {
                throw ConfigError(file.string() + ": " + s.toml + ": " + e.what());
            }
        }
    }
    load_catalog(root, config);
    load_accounts(root, config);
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
