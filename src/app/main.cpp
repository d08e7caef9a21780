// xtraderd: recover the engine from the data directory, start the sequencer and the REST server,
// and on SIGINT / SIGTERM stop accepting, answer everything accepted, snapshot and exit 0.
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <fstream>
#include <future>
#include <iostream>
#include <random>
#include <thread>

#include "xtrader/api/authenticator.hpp"
#include "xtrader/api/http_server.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/order_view.hpp"
#include "xtrader/api/rest_api.hpp"
#include "xtrader/api/ws_server.hpp"
#include "xtrader/app/config.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/redis_streams_publisher.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/trade_recorder.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"
#include "xtrader/store/postgres_execution_store.hpp"
#include "xtrader/store/sqlite_trade_store.hpp"

namespace {

using namespace xtrader;
namespace net = boost::asio;

// Credits the configured demo balances, once, on an empty exchange.
void fund_demo_accounts(const app::Config& config, Sequencer& sequencer) {
    std::vector<std::future<void>> done;
    for (const auto& demo : config.accounts) {
        for (const auto& [asset_name, text] : demo.deposit) {
            const auto* asset = config.catalog.find_asset(asset_name);
            if (asset == nullptr) throw app::ConfigError("deposit in unknown asset " + asset_name);
            Amount amount = 0;
            if (parse_decimal(text, asset->scale, amount) != DecimalError::Ok || amount <= 0) {
                throw app::ConfigError("bad deposit amount " + text + " for " + demo.account.name);
            }
            auto promise = std::make_shared<std::promise<void>>();
            done.push_back(promise->get_future());
            const auto id = static_cast<AssetId>(asset - config.catalog.assets.data());
            while (sequencer.submit(Deposit{demo.account.id, id, amount},
                                    [promise](const CommandReply&) { promise->set_value(); }) !=
                   SubmitResult::Accepted) {
                std::this_thread::yield();
            }
        }
    }
    for (auto& f : done) f.wait();
}

// The admin token: the configured one, or the one an earlier start made in the data directory,
// or a new random one written there (mode 0600) and shown once. Empty when admin routes are off.
std::string admin_token(const app::Config& config) {
    if (!config.admin_routes) return {};
    if (!config.admin_token.empty()) return config.admin_token;
    const auto path = config.sequencer.data_dir / "admin_token";
    if (std::ifstream in(path); in) {
        std::string token;
        std::getline(in, token);
        if (!token.empty()) return token;
    }
    std::filesystem::create_directories(config.sequencer.data_dir);
    const auto token = api::random_secret("xta_", 24);
    try {
        api::write_private_file(path, token + "\n");
    } catch (const std::runtime_error& e) {
        throw app::ConfigError(std::string("the admin token: ") + e.what());
    }
    std::cout << "xtraderd: admin token (X-Admin-Token), shown this once and kept in "
              << path.string() << ":\n  " << token << "\n";
    return token;
}

// The configured accounts and keys, then those the admin routes made in earlier runs.
void load_keys(const app::Config& config, api::KeyRegistry& keys) {
    try {
        for (const auto& a : config.accounts) {
            keys.add_account(a.account.id, a.account.name);
            if (a.account.key_digest)
                keys.add_key(a.account.id, *a.account.key_digest, a.account.scope);
        }
        keys.load();
    } catch (const std::exception& e) {
        throw app::ConfigError(e.what());
    }
}

bool loopback(const std::string& host) {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

// Sockets are descriptors: take every one the hard limit allows (the soft limit is often 1024).
void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

PersisterOptions persister_options(const app::Config& config) {
    PersisterOptions options = config.pipelines.persister;
    options.redis = config.pipelines.redis_endpoint();
    options.postgres = config.pipelines.postgres;
    return options;
}

// --role persister: one consumer of the persistence pipeline until SIGINT / SIGTERM.
int run_persister(const app::Config& config) {
    const auto& p = config.pipelines;
    if (p.redis.empty() || p.postgres.empty() || p.consumer_name.empty()) {
        throw app::ConfigError("--role persister needs --redis, --postgres and --consumer-name");
    }
    net::io_context io;
    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int) {});
    ExecutionPersister persister(config.catalog, persister_options(config), {p.consumer_name});
    persister.start();
    spdlog::info("persister {}: reading {} in group {}", p.consumer_name, p.persister.stream,
                 p.persister.group);
    io.run();  // until a signal
    persister.stop();
    spdlog::info("persister {}: stopped; {} stored, {} acknowledged", p.consumer_name,
                 persister.stored(), persister.acknowledged());
    return 0;
}

int run(const app::Config& config) {
    raise_descriptor_limit();
    spdlog::info("xtraderd starting: config {}, data {}, fsync {}", config.config_file.string(),
                 config.sequencer.data_dir.string(), to_string(config.sequencer.fsync));
    // A random seed for the client-id index: where ids land cannot be steered from outside.
    MatchingEngine engine(config.catalog,
                          EngineOptions{.client_id_seed = std::random_device{}() * 0x9E3779B9ULL ^
                                                          std::random_device{}()});
    // Recovery must finish before anything reads or writes the engine.
    const auto report = recover(engine, config.sequencer.data_dir);
    spdlog::info(
        "recovered: snapshot at {}, {} commands replayed, last sequence {}, state hash "
        "{:016x}{}",
        report.snapshot_sequence, report.replayed, report.last_sequence, report.state_hash,
        report.truncated_bytes != 0
            ? fmt::format(", torn tail of {} bytes cut", report.truncated_bytes)
            : "");

    SystemClock clock;
    // The trade store catches up with the journal before anything else runs, then the order
    // view starts from it: open orders and the most recent finished ones.
    SqliteTradeStore store(config.sequencer.data_dir / "trades.sqlite");
    TradeRecorder recorder(store);
    // Journal followers read up to what the sequencer has committed; before it runs, up to what
    // recovery found.
    const Sequencer* running = nullptr;
    const auto committed = [&] {
        return running != nullptr ? running->committed_sequence() : report.last_sequence;
    };
    JournalFollower store_writer("trade-store", journal_dir(config.sequencer.data_dir), committed,
                                 recorder);
    store_writer.catch_up(report.last_sequence);
    api::OrderView orders;
    orders.load(store.open_orders());
    orders.load(store.finished_orders(100'000));
    // Market data starts from the store's trades (as far back as the weekly candles reach) and
    // the recovered book, then follows the journal closely.
    MarketData market_data(config.catalog);
    market_data.load_trades(store.trades_since(clock.now() - 157 * 7 * 1440 * kMinute));
    market_data.load_book(engine, report.last_sequence);
    JournalFollower market_feed("market-data", journal_dir(config.sequencer.data_dir), committed,
                                market_data,
                                FollowerOptions{.idle_poll = std::chrono::milliseconds(1)});

    const unsigned threads = config.io_threads != 0
                                 ? config.io_threads
                                 : std::max(1u, std::thread::hardware_concurrency());
    net::io_context io(static_cast<int>(threads));
    api::ReplyRelay relay(io);
    // WebSocket fan-out: market data from the publisher's thread, order updates from the view.
    auto hub = std::make_shared<api::WsHub>();
    api::WsFeed feed(config.catalog, market_data, *hub);
    market_data.set_listener(&feed);
    orders.set_listener([&feed](const OrderRecord& order) { feed.on_order(order); });

    // Full mode's persistence pipeline: the journal -> Redis stream publisher (never awaited at
    // start: a broker that is down only makes it degraded), and the consumers into PostgreSQL.
    const auto& pipes = config.pipelines;
    // Large batches: one pipelined round trip and one cursor fdatasync cover up to 8192 records.
    const FollowerOptions publisher_options{.max_batch = 8192,
                                            .probe_interval = pipes.probe_interval,
                                            .disk_budget = pipes.disk_budget};
    std::optional<RedisStreamsPublisher> redis_publisher;
    std::optional<JournalFollower> redis_feed;
    if (!pipes.redis.empty()) {
        redis_publisher.emplace(config.catalog,
                                RedisStreamsOptions{pipes.redis_endpoint(), pipes.persister.stream,
                                                    pipes.stream_max_length},
                                config.sequencer.data_dir / "cursors" / "redis-streams");
        redis_feed.emplace("redis-streams", journal_dir(config.sequencer.data_dir), committed,
                           *redis_publisher, publisher_options);
    }
    std::optional<PostgresExecutionStore> postgres_history;
    std::optional<ExecutionPersister> persister;
    if (!pipes.postgres.empty()) {
        postgres_history.emplace(config.catalog, pipes.postgres);
        if (!pipes.redis.empty() && pipes.persister_consumers > 0) {
            std::vector<std::string> names;
            for (std::size_t i = 1; i <= pipes.persister_consumers; ++i) {
                names.push_back("xtraderd-" + std::to_string(i));
            }
            persister.emplace(config.catalog, persister_options(config), std::move(names));
        }
    }

    Sequencer sequencer(engine, clock, config.sequencer, report.last_sequence);
    sequencer.add_observer(orders);
    sequencer.add_observer(relay);
    // Journal segments stay until every follower has read past them.
    sequencer.register_cursor(store_writer.cursor());
    sequencer.register_cursor(market_feed.cursor());
    if (redis_feed) sequencer.register_cursor(redis_feed->cursor());
    running = &sequencer;
    sequencer.start();
    store_writer.start();
    market_feed.start();
    if (redis_feed) redis_feed->start();
    if (persister) persister->start();
    if (report.last_sequence == 0) fund_demo_accounts(config, sequencer);

    api::RequestMetrics metrics;
    api::Pipelines pipelines{redis_feed || postgres_history ? "full" : "embedded",
                             {&store_writer, &market_feed},
                             persister ? &*persister : nullptr};
    if (redis_feed) pipelines.followers.push_back(&*redis_feed);
    ExecutionHistory& history =
        postgres_history ? static_cast<ExecutionHistory&>(*postgres_history) : store;
    api::KeyRegistry keys(config.sequencer.data_dir / "keys.json");
    load_keys(config, keys);
    api::Authenticator auth(keys, admin_token(config), config.auth_failures_per_minute);
    api::RestApi rest(config.catalog, sequencer, orders, store, history, market_data,
                      std::move(pipelines), metrics, auth, config.rest);
    api::HttpServer http(io, {net::ip::make_address(config.host), config.http_port}, rest, relay,
                         metrics, config.http);
    http.start();
    api::WsServer ws(io, {net::ip::make_address(config.host), config.ws_port}, hub, config.catalog,
                     market_data, auth, metrics, config.ws);
    ws.start();
    rest.set_ready(true);

    std::cout << "xtraderd: REST on http://localhost:" << http.port() << "/ (" << threads
              << " io threads)\n"
              << "xtraderd: WebSocket on ws://localhost:" << ws.port() << "/ws\n";
    bool demo_keys = false;
    for (const auto& demo : config.accounts) {
        if (demo.account.api_key.empty()) continue;
        demo_keys = true;
        std::cout << "  account " << demo.account.id << " " << demo.account.name
                  << "  X-API-Key: " << demo.account.api_key << "\n";
    }
    std::cout << std::flush;
    if (demo_keys && !loopback(config.host)) {
        spdlog::warn(
            "*** {} is not a loopback address and the configuration holds demo API keys in plain "
            "text: anyone who reaches this port can trade with them. Give accounts "
            "api_key_sha256 instead (docs/SECURITY.md). ***",
            config.host);
    }

    net::signal_set signals(io, SIGINT, SIGTERM);
    net::steady_timer grace(io);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: stopping", signal);
        rest.set_ready(false);
        http.stop();
        ws.stop();
        // Answers every accepted command (their replies are posted to the io threads, which
        // keep running) and writes the final snapshot.
        sequencer.stop();
        store_writer.stop();
        market_feed.stop();
        if (redis_feed) redis_feed->stop();
        if (persister) persister->stop();
        grace.expires_after(std::chrono::milliseconds(300));
        grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    sequencer.stop();
    store_writer.stop();
    market_feed.stop();
    if (redis_feed) redis_feed->stop();
    if (persister) persister->stop();
    spdlog::info("stopped at sequence {}", sequencer.committed_sequence());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto config = app::load_config(argc, argv);
        if (!config) return 0;
        spdlog::set_level(spdlog::level::from_str(config->log_level));
        return config->role == app::Role::Persister ? run_persister(*config) : run(*config);
    } catch (const app::ConfigError& e) {
        std::cerr << "xtraderd: configuration: " << e.what() << "\n";
        return 2;
    } catch (const JournalError& e) {
        spdlog::critical("journal: {}", e.what());
        return 3;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
