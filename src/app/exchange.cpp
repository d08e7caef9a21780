// The exchange role's composition root: every part of the daemon is a member of Exchange,
// declared in the order it must be built (and so destroyed in reverse), started by start() and
// stopped by stop(), each in one place.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <iostream>
#include <limits>
#include <random>
#include <thread>

#include "xtrader/api/access_control.hpp"
#include "xtrader/api/http_server.hpp"
#include "xtrader/api/market_statistics_publisher.hpp"
#include "xtrader/api/reply_relay.hpp"
#include "xtrader/api/rest_api.hpp"
#include "xtrader/api/surveillance_routes.hpp"
#include "xtrader/api/ws_feed.hpp"
#include "xtrader/api/ws_server.hpp"
#include "xtrader/app/accounts.hpp"
#include "xtrader/app/roles.hpp"
#include "xtrader/bus/kafka_publisher.hpp"
#include "xtrader/bus/redis_streams_publisher.hpp"
#include "xtrader/consumers/market_data_sink.hpp"
#include "xtrader/consumers/order_events_publisher.hpp"
#include "xtrader/consumers/order_history_sink.hpp"
#include "xtrader/consumers/surveillance_monitor.hpp"
#include "xtrader/consumers/trade_recorder.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/store/postgres_store.hpp"
#include "xtrader/store/sqlite_trade_store.hpp"

namespace xtrader::app {

namespace {

namespace net = boost::asio;

// Weekly candles reach back this far; market data is rebuilt from the trades since then.
constexpr Timestamp kMarketDataHistory = 157 * 7 * 1440 * kMinute;
// The store is read for orders that left the view and for execution history, off the io threads.
constexpr int kStoreReaders = 2;

bool loopback(const std::string& host) {
    boost::system::error_code ec;
    const auto address = net::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

RecoveryReport recover_logged(MatchingEngine& engine, const Config& config) {
    spdlog::info("xtraderd starting: config {}, data {}, fsync {}", config.config_file.string(),
                 config.sequencer.data_dir.string(), to_string(config.sequencer.fsync));
    const auto report = recover(engine, config.sequencer.data_dir);
    spdlog::info(
        "recovered: snapshot at {}, {} commands replayed, last sequence {}, state hash "
        "{:016x}{}",
        report.snapshot_sequence, report.replayed, report.last_sequence, report.state_hash,
        report.truncated_bytes != 0
            ? fmt::format(", torn tail of {} bytes cut", report.truncated_bytes)
            : "");
    return report;
}

// Full mode's order history: PostgreSQL's orders table, which the order-history group fills
// from the order-events topic. An order asked for here has left the API's view, so it is
// finished; a row that is not finished yet (the pipeline lags the journal), a missing row or a
// database that does not answer is read from the local trade store instead. The orders listed
// here are older than the view's, far behind any lag of the pipeline.
class ReplicatedOrderHistory final : public OrderHistory {
  public:
    ReplicatedOrderHistory(PostgresStore& replica, TradeStore& local)
        : replica_(replica), local_(local) {}

    std::optional<OrderRecord> order(OrderId id) override {
        try {
            if (auto order = replica_.order(id); order && !order->open()) return order;
        } catch (const StoreError& e) {
            spdlog::debug("order {} from postgresql: {}", id, e.what());
        }
        return local_.order(id);
    }

    std::optional<OrderRecord> order_by_client_id(AccountId account,
                                                  const ClientOrderId& client_order_id) override {
        try {
            if (auto order = replica_.order_by_client_id(account, client_order_id);
                order && !order->open()) {
                return order;
            }
        } catch (const StoreError& e) {
            spdlog::debug("order {} of account {} from postgresql: {}", client_order_id.view(),
                          account, e.what());
        }
        return local_.order_by_client_id(account, client_order_id);
    }

    std::vector<OrderRecord> closed_orders(AccountId account, std::optional<MarketId> market,
                                           std::size_t limit,
                                           std::optional<OrderId> before) override {
        try {
            return replica_.closed_orders(account, market, limit, before);
        } catch (const StoreError& e) {
            spdlog::debug("orders of account {} from postgresql: {}", account, e.what());
        }
        return local_.closed_orders(account, market, limit, before);
    }

  private:
    PostgresStore& replica_;
    TradeStore& local_;
};

// Full mode's pipelines, each part present when its broker is configured: the persistence
// pipeline (the journal -> Redis stream publisher and the consumers into PostgreSQL) and the
// Kafka pipeline (the journal -> market-data, the trade store's outbox -> order-events ->
// the order-history group -> PostgreSQL). A publisher is never awaited at start: a broker that
// is down only makes it degraded.
struct BrokerPipelines {
    // recorded: the sequence the trade store has written, order events included.
    BrokerPipelines(const Config& config, const std::function<Sequence()>& committed,
                    TradeStore& store, const std::function<Sequence()>& recorded) {
        const auto& pipes = config.pipelines;
        // Large batches: one round trip (Redis) or one flush (Kafka) and one cursor fdatasync
        // cover up to 8192 records.
        const FollowerOptions options{.max_batch = 8192,
                                      .probe_interval = pipes.probe_interval,
                                      .disk_budget = pipes.disk_budget};
        if (!pipes.kafka.producer.brokers.empty()) {
            kafka.emplace(config.catalog, pipes.kafka_publisher_options(),
                          config.sequencer.data_dir / "cursors" / "kafka");
            kafka_feed.emplace("kafka", journal_dir(config.sequencer.data_dir), committed, *kafka,
                               options);
            order_events.emplace(config.catalog, store,
                                 std::make_unique<KafkaTopicSink>(pipes.kafka.producer,
                                                                  pipes.kafka.order_events.name),
                                 config.sequencer.data_dir / "cursors" / "kafka-order-events");
            order_events_feed.emplace("kafka-order-events", journal_dir(config.sequencer.data_dir),
                                      recorded, *order_events, options);
        }
        if (pipes.rabbitmq) {
            auto publisher_options = pipes.rabbitmq_publisher;
            publisher_options.endpoint = *pipes.rabbitmq;
            rabbitmq.emplace(config.catalog, std::move(publisher_options),
                             config.sequencer.data_dir / "cursors" / "rabbitmq");
            rabbitmq_feed.emplace("rabbitmq", journal_dir(config.sequencer.data_dir), committed,
                                  *rabbitmq, options);
            // The `orders` channel's updates, persistent: no gap shows them missing.
            order_updates.emplace(config.catalog, store,
                                  std::make_unique<RabbitMqExchangeSink>(
                                      *pipes.rabbitmq, pipes.rabbitmq_publisher.exchange, "order.",
                                      pipes.rabbitmq_publisher.confirm_window),
                                  config.sequencer.data_dir / "cursors" / "rabbitmq-orders");
            order_updates_feed.emplace("rabbitmq-orders", journal_dir(config.sequencer.data_dir),
                                       recorded, *order_updates, options);
        }
        if (!pipes.redis.empty()) {
            publisher.emplace(config.catalog,
                              RedisStreamsOptions{pipes.redis_endpoint(), pipes.persister.stream,
                                                  pipes.stream_max_length},
                              config.sequencer.data_dir / "cursors" / "redis-streams");
            feed.emplace("redis-streams", journal_dir(config.sequencer.data_dir), committed,
                         *publisher, options);
        }
        if (pipes.postgres.empty()) return;
        history.emplace(config.catalog, pipes.postgres);
        if (kafka) {
            order_store.emplace(config.catalog, pipes.postgres);
            order_sink.emplace(config.catalog, *order_store);
            order_history.emplace(pipes.order_history_consumer_options(), *order_sink);
            replicated_orders.emplace(*history, store);
        }
        if (!pipes.redis.empty() && pipes.persister_consumers > 0) {
            std::vector<std::string> names;
            for (std::size_t i = 1; i <= pipes.persister_consumers; ++i) {
                names.push_back("xtraderd-" + std::to_string(i));
            }
            persister.emplace(config.catalog, pipes.persister_options(), std::move(names));
        }
    }

    // The journal followers that publish, for registration, start and stop.
    std::vector<JournalFollower*> followers() {
        std::vector<JournalFollower*> out;
        if (feed) out.push_back(&*feed);
        if (kafka_feed) out.push_back(&*kafka_feed);
        if (order_events_feed) out.push_back(&*order_events_feed);
        if (rabbitmq_feed) out.push_back(&*rabbitmq_feed);
        if (order_updates_feed) out.push_back(&*order_updates_feed);
        return out;
    }

    // How far every publisher of the order-events outbox has published: what may be pruned.
    Sequence outbox_published() {
        Sequence published = std::numeric_limits<Sequence>::max();
        for (const auto* outbox_feed : {&order_events_feed, &order_updates_feed}) {
            if (*outbox_feed) published = std::min(published, (*outbox_feed)->cursor().load());
        }
        return published;
    }

    std::optional<RedisStreamsPublisher> publisher;
    std::optional<JournalFollower> feed;
    std::optional<PostgresStore> history;
    std::optional<ExecutionPersister> persister;
    std::optional<KafkaPublisher> kafka;
    std::optional<JournalFollower> kafka_feed;
    std::optional<OrderEventsPublisher> order_events;
    std::optional<JournalFollower> order_events_feed;
    std::optional<PostgresStore> order_store;  // the order-history consumer's connection
    std::optional<OrderHistorySink> order_sink;
    std::optional<TopicConsumer> order_history;
    std::optional<ReplicatedOrderHistory> replicated_orders;
    std::optional<RabbitMqPublisher> rabbitmq;
    std::optional<JournalFollower> rabbitmq_feed;
    std::optional<OrderEventsPublisher> order_updates;  // to RabbitMQ
    std::optional<JournalFollower> order_updates_feed;
};

// The followers into SQLite (the trade store, the embedded surveillance): each batch is one
// synced transaction, so they gather 10 ms of records; their reads (history, alerts) trail by
// that much.
constexpr FollowerOptions kSqliteFollower{.max_batch = 8192,
                                          .idle_poll = std::chrono::milliseconds(10)};

// Market surveillance. In full mode (Kafka and PostgreSQL configured) the regulatory and
// analytics consumer groups, a member of each as a thread here unless they run as processes of
// their own, with their alerts in PostgreSQL; otherwise every group's detectors on the journal,
// with the alerts in SQLite beside the trade store.
//
// exchange-sync compares other venues' prices with this process's own market data, here unless
// the groups run as processes.
struct Surveillance {
    // listener: told of every alert once stored (the WebSocket `alerts` channel).
    Surveillance(const Config& config, const std::function<Sequence()>& committed,
                 Sequence last_sequence, const MarketData& market_data,
                 const AlertListener& listener) {
        const auto& pipes = config.pipelines;
        if (!pipes.kafka.producer.brokers.empty() && !pipes.postgres.empty()) {
            alerts.emplace(config.catalog, pipes.postgres);  // the admin API's reads
            if (pipes.surveillance_run != SurveillanceRun::Thread) {
                // The processes' alerts reach the WebSocket from their topic.
                relay_sink.emplace(config.catalog, listener);
                TopicConsumerOptions relay_options;
                relay_options.consumer.brokers = pipes.kafka.producer.brokers;
                relay_options.consumer.group = pipes.surveillance_group_prefix + "alerts-relay";
                relay_options.topics = {pipes.kafka.surveillance_alerts.name};
                relay.emplace(std::move(relay_options), *relay_sink);
                return;
            }
            for (const auto group : {SurveillanceGroup::Regulatory, SurveillanceGroup::Analytics}) {
                members.push_back(std::make_unique<SurveillanceMember>(
                    config.catalog, config.surveillance, surveillance_member(config, group),
                    listener));
            }
            sync.emplace(config.catalog, config.exchange_sync, market_data, *alerts,
                         std::make_unique<KafkaTopicSink>(pipes.kafka.producer,
                                                          pipes.kafka.surveillance_alerts.name),
                         listener);
            return;
        }
        const auto file = config.sequencer.data_dir / "alerts.sqlite";
        const bool fresh = !std::filesystem::exists(file);
        local_alerts.emplace(config.catalog, file);
        // A data directory that predates surveillance is watched from now on: the journal
        // before may be gone.
        if (fresh && last_sequence > 0) local_alerts->add({}, last_sequence);
        static constexpr SurveillanceGroup kEveryGroup[] = {SurveillanceGroup::Regulatory,
                                                            SurveillanceGroup::Analytics};
        monitor.emplace(config.catalog, config.surveillance, kEveryGroup);
        follower.emplace(config.catalog, *monitor, *local_alerts, listener);
        feed.emplace("surveillance", journal_dir(config.sequencer.data_dir), committed, *follower,
                     kSqliteFollower);
        sync.emplace(config.catalog, config.exchange_sync, market_data, *local_alerts, nullptr,
                     listener);
    }

    AlertStore& store() { return alerts ? static_cast<AlertStore&>(*alerts) : *local_alerts; }
    void start() {
        if (relay) relay->start();
        if (feed) feed->start();
        for (auto& member : members) member->start();
        if (sync) sync->start();
    }
    void stop() {
        if (sync) sync->stop();
        if (feed) feed->stop();
        for (auto& member : members) member->stop();
        if (relay) relay->stop();
    }

    std::optional<PostgresStore> alerts;
    std::vector<std::unique_ptr<SurveillanceMember>> members;
    std::optional<SqliteAlertStore> local_alerts;
    std::optional<SurveillanceMonitor> monitor;
    std::optional<SurveillanceFollower> follower;
    std::optional<JournalFollower> feed;
    std::optional<ExchangeSync> sync;
    std::optional<AlertRelaySink> relay_sink;
    std::optional<TopicConsumer> relay;
};

class Exchange {
  public:
    explicit Exchange(const Config& config);

    // Serves until SIGINT / SIGTERM.
    void run();

  private:
    std::function<Sequence()> committed() const {
        return [s = &sequencer_] { return s->committed_sequence(); };
    }
    api::Pipelines pipelines();
    bool kafka() const { return !config_.pipelines.kafka.producer.brokers.empty(); }
    // The mdp-group is a thread of this process (else --role mdp processes, and the market data
    // here follows the journal).
    bool mdp_thread() const { return kafka() && config_.pipelines.mdp_in_process; }
    // The trade store keeps the order-events outbox for the Kafka and RabbitMQ publishers of
    // order changes, pruned behind both.
    bool outbox() const { return kafka() || config_.pipelines.rabbitmq.has_value(); }
    std::function<Sequence()> outbox_published() {
        return [this] { return brokers_.outbox_published(); };
    }
    // What the trade store has written, for the order-events publisher.
    std::function<Sequence()> recorded() {
        return [this] {
            return std::min(sequencer_.committed_sequence(), store_writer_.cursor().load());
        };
    }
    std::optional<JournalFollower> journal_market_feed();
    std::optional<MarketDataCache> mdp_cache();
    std::optional<TopicConsumer> mdp_member();
    std::optional<api::MarketStatisticsPublisher> statistics_publisher();
    std::optional<api::WsServer> websocket_server();
    net::ip::tcp::endpoint endpoint(unsigned short port) const {
        return {net::ip::make_address(config_.host), port};
    }
    // PostgreSQL's executions when the persistence pipeline (Redis) fills them.
    ExecutionHistory& history() {
        return brokers_.history && brokers_.feed ? static_cast<ExecutionHistory&>(*brokers_.history)
                                                 : store_;
    }
    OrderHistory& order_history() {
        return brokers_.replicated_orders ? static_cast<OrderHistory&>(*brokers_.replicated_orders)
                                          : store_;
    }
    void start();
    void stop();  // idempotent
    void announce() const;
    // Cancel-on-disconnect: every open order of the account, retried while the queue is full.
    void cancel_all_of(AccountId account);

    const Config& config_;
    SystemClock clock_;
    // A random seed for the client-id index: where ids land cannot be steered from outside.
    MatchingEngine engine_{config_.catalog,
                           EngineOptions{.client_id_seed = std::random_device{}() * 0x9E3779B9ULL ^
                                                           std::random_device{}()}};
    // Recovery finishes before anything reads or writes the engine.
    const RecoveryReport report_ = recover_logged(engine_, config_);
    // Built (not started) before the journal followers, which ask it what is committed.
    Sequencer sequencer_{engine_, clock_, config_.sequencer, report_.last_sequence};

    SqliteTradeStore store_{config_.sequencer.data_dir / "trades.sqlite"};
    // With Kafka or RabbitMQ, the recorder also keeps the order-events outbox.
    TradeRecorder recorder_{store_, outbox() ? outbox_published() : nullptr};
    JournalFollower store_writer_{"trade-store", journal_dir(config_.sequencer.data_dir),
                                  committed(), recorder_, kSqliteFollower};
    api::OrderView orders_{config_.rest.finished_orders_kept};
    MarketData market_data_{config_.catalog};
    BrokerPipelines brokers_{config_, committed(), store_, recorded()};
    // Market data follows the journal closely in embedded mode; in full mode it is the mdp-group
    // member that reads the Kafka topic, unless the group runs as processes of its own.
    std::optional<JournalFollower> market_feed_ = journal_market_feed();
    std::optional<MarketDataCache> market_data_cache_ = mdp_cache();
    MarketDataSink market_data_sink_{config_.catalog, market_data_,
                                     market_data_cache_ ? &*market_data_cache_ : nullptr,
                                     brokers_.history ? &*brokers_.history : nullptr};
    // With RabbitMQ, the mdp-group member announces tickers and candles to the gateways.
    std::optional<api::MarketStatisticsPublisher> statistics_ = statistics_publisher();
    std::optional<TopicConsumer> mdp_ = mdp_member();
    // Its alerts reach the WebSocket through feed_, built later but before start().
    Surveillance surveillance_{config_, committed(), report_.last_sequence, market_data_,
                               [this](const surveillance::Alert& a) { feed_.on_alert(a); }};

    unsigned threads_ = io_threads(config_);
    net::io_context io_{static_cast<int>(threads_)};
    // The WebSocket sessions run on threads of their own: a fan-out to thousands of clients
    // never queues an order's answer behind its writes.
    net::io_context ws_io_{static_cast<int>(threads_)};
    net::thread_pool store_reads_{kStoreReaders};
    api::ReplyRelay relay_{io_};
    // WebSocket fan-out: market data from its writer thread, order updates from the view.
    std::shared_ptr<api::WsHub> hub_ = std::make_shared<api::WsHub>(config_.ws.backlog());
    api::WsFeed feed_{config_.catalog, market_data_, *hub_};

    api::RequestMetrics metrics_;
    api::KeyRegistry keys_{config_.sequencer.data_dir / "keys.json"};
    api::Authenticator auth_{keys_, admin_token(config_), config_.auth_failures_per_minute};
    api::AccessControl access_{auth_, metrics_, config_.rest.rate_limit_per_second,
                               config_.rest.rate_limit_burst};
    api::OrderRoutes order_routes_{config_.catalog, sequencer_, orders_,
                                   order_history(), access_,    store_reads_};
    api::AccountRoutes account_routes_{config_.catalog, sequencer_, history(), access_,
                                       store_reads_};
    api::AdminRoutes admin_routes_{config_.catalog, sequencer_, access_, config_.rest.max_accounts};
    api::SurveillanceRoutes surveillance_routes_{config_.catalog, surveillance_.store(), store_,
                                                 access_, store_reads_};
    api::MarketStatus market_status_{config_.catalog.markets.size()};
    api::MarketDataRoutes market_data_routes_{config_.catalog, market_data_, market_status_};
    api::SystemRoutes system_routes_{sequencer_, pipelines(), metrics_};
    api::StaticRoutes static_routes_{config_.rest.web_root};
    api::RestApi rest_{{order_routes_, account_routes_, admin_routes_, surveillance_routes_,
                        market_data_routes_, system_routes_, static_routes_},
                       metrics_};
    api::HttpServer http_{io_, endpoint(config_.http_port), rest_, relay_, metrics_, config_.http};
    // None when gateways serve the WebSocket clients: the port is theirs (their load balancer's).
    std::optional<api::WsServer> ws_ = websocket_server();
    bool stopped_ = false;
};

Exchange::Exchange(const Config& config) : config_(config) {
    if (config_.pipelines.ws_gateways && !config_.pipelines.rabbitmq) {
        throw ConfigError("rabbitmq.gateways needs rabbitmq.url: the gateways are fed from it");
    }
    if (statistics_) market_data_sink_.set_batch_listener(&*statistics_);
    load_keys(config_, keys_);
}

std::optional<JournalFollower> Exchange::journal_market_feed() {
    if (mdp_thread()) return std::nullopt;
    return std::optional<JournalFollower>(
        std::in_place, "market-data", journal_dir(config_.sequencer.data_dir), committed(),
        market_data_,
        // Not background work: every WebSocket client waits on it. Niced, it starved behind the
        // fan-out's own threads (p99 at 1,000 clients x 100/s: 48-73 ms; at nice 0: 30-33).
        FollowerOptions{.idle_poll = std::chrono::milliseconds(1), .nice = 0});
}

std::optional<MarketDataCache> Exchange::mdp_cache() {
    const auto& p = config_.pipelines;
    if (!mdp_thread() || p.redis.empty()) return std::nullopt;
    return std::optional<MarketDataCache>(std::in_place, config_.catalog, p.redis_endpoint(),
                                          p.market_data_cache);
}

std::optional<api::MarketStatisticsPublisher> Exchange::statistics_publisher() {
    const auto& p = config_.pipelines;
    if (!mdp_thread() || !p.rabbitmq) return std::nullopt;
    return std::optional<api::MarketStatisticsPublisher>(std::in_place, config_.catalog,
                                                         *p.rabbitmq, p.rabbitmq_publisher.exchange,
                                                         p.probe_interval);
}

std::optional<TopicConsumer> Exchange::mdp_member() {
    if (!mdp_thread()) return std::nullopt;
    return std::optional<TopicConsumer>(std::in_place, config_.pipelines.mdp_consumer_options(),
                                        market_data_sink_);
}

std::optional<api::WsServer> Exchange::websocket_server() {
    if (config_.pipelines.ws_gateways) return std::nullopt;
    return std::optional<api::WsServer>(std::in_place, ws_io_, endpoint(config_.ws_port), hub_,
                                        config_.catalog, market_data_, auth_, metrics_, config_.ws,
                                        api::StatusPages{},
                                        [this](AccountId account) { cancel_all_of(account); });
}

void Exchange::cancel_all_of(AccountId account) {
    const auto result = sequencer_.submit(
        CancelAllOrders{account, kAllMarkets}, [account](const CommandReply& reply) {
            const auto cancelled = std::count_if(
                reply.events.begin(), reply.events.end(),
                [](const Event& e) { return std::holds_alternative<OrderCancelled>(e); });
            spdlog::info("ws: account {} disconnected: {} orders cancelled", account, cancelled);
        });
    if (result == SubmitResult::QueueFull) {
        auto retry = std::make_shared<net::steady_timer>(io_, std::chrono::milliseconds(20));
        retry->async_wait([this, account, retry](const boost::system::error_code& ec) {
            if (!ec) cancel_all_of(account);
        });
    } else if (result == SubmitResult::Unavailable) {
        spdlog::warn("ws: account {} disconnected while the exchange stops: orders kept", account);
    }
}

api::Pipelines Exchange::pipelines() {
    api::Pipelines p{brokers_.feed || brokers_.history || brokers_.kafka || brokers_.rabbitmq
                         ? "full"
                         : "embedded",
                     {&store_writer_},
                     brokers_.persister ? &*brokers_.persister : nullptr};
    if (market_feed_) p.followers.push_back(&*market_feed_);
    for (auto* follower : brokers_.followers()) {
        p.followers.push_back(follower);
    }
    for (const auto* member : {&mdp_, &brokers_.order_history}) {
        if (*member) p.consumers.push_back([c = &**member] { return c->figures(); });
    }
    if (surveillance_.feed) p.followers.push_back(&*surveillance_.feed);
    for (const auto& member : surveillance_.members) {
        p.consumers.push_back([c = member.get()] { return c->figures(); });
    }
    if (surveillance_.sync) p.exchange_sync = &*surveillance_.sync;
    if (surveillance_.relay)
        p.consumers.push_back([c = &*surveillance_.relay] { return c->figures(); });
    return p;
}

void Exchange::start() {
    // The trade store catches up with the journal, then the order view starts from it: open
    // orders and the most recent finished ones.
    store_writer_.catch_up(report_.last_sequence);
    orders_.load(store_.open_orders());
    orders_.load(store_.finished_orders(config_.rest.finished_orders_kept));
    // Market data starts from the store's trades and the recovered book, then follows the
    // journal or the topic (which may bring again what it has: that is dropped).
    market_data_.load_trades(store_.trades_since(clock_.now() - kMarketDataHistory));
    market_data_.load_book(engine_, report_.last_sequence);
    market_data_.set_listener(&feed_);
    orders_.set_listener([this](const OrderRecord& order) { feed_.on_order(order); });

    market_status_.load(engine_);
    sequencer_.add_observer(orders_);
    sequencer_.add_observer(market_status_);
    sequencer_.add_observer(relay_);
    // Journal segments stay until every follower has read past them.
    sequencer_.register_cursor(store_writer_.cursor());
    if (market_feed_) sequencer_.register_cursor(market_feed_->cursor());
    if (surveillance_.feed) sequencer_.register_cursor(surveillance_.feed->cursor());
    for (auto* follower : brokers_.followers()) sequencer_.register_cursor(follower->cursor());
    // Kafka's topics exist before anything is published; a cluster that refuses them is a
    // configuration to fix (KafkaError), one that does not answer makes the publisher degraded.
    if (brokers_.kafka && !brokers_.kafka->create_topics(std::chrono::seconds(10))) {
        spdlog::warn("kafka: {} does not answer; the market-data publisher starts degraded",
                     config_.pipelines.kafka.producer.brokers);
    }
    sequencer_.start();
    store_writer_.start();
    if (market_feed_) market_feed_->start();
    for (auto* follower : brokers_.followers()) follower->start();
    if (statistics_) statistics_->start();
    if (mdp_) mdp_->start();
    if (brokers_.order_history) brokers_.order_history->start();
    if (brokers_.persister) brokers_.persister->start();
    surveillance_.start();
    if (report_.last_sequence == 0) fund_demo_accounts(config_, sequencer_);

    http_.start();
    if (ws_) ws_->start();
    system_routes_.set_ready(true);
}

void Exchange::stop() {
    if (std::exchange(stopped_, true)) return;
    system_routes_.set_ready(false);
    http_.stop();
    if (ws_) ws_->stop();
    // Answers every accepted command (the replies go to the io threads, which keep running
    // until the grace period is over) and writes the final snapshot.
    sequencer_.stop();
    store_writer_.stop();
    if (market_feed_) market_feed_->stop();
    for (auto* follower : brokers_.followers()) follower->stop();
    if (mdp_) mdp_->stop();
    if (statistics_) statistics_->stop();
    if (brokers_.order_history) brokers_.order_history->stop();
    if (brokers_.persister) brokers_.persister->stop();
    surveillance_.stop();
}

void Exchange::announce() const {
    std::cout << "xtraderd: REST on http://localhost:" << http_.port() << "/ (" << threads_
              << " io threads)\n";
    if (ws_) {
        std::cout << "xtraderd: WebSocket on ws://localhost:" << ws_->port() << "/ws\n";
    } else {
        std::cout << "xtraderd: WebSocket served by the ws-gateway processes\n";
    }
    bool demo_keys = false;
    for (const auto& demo : config_.accounts) {
        if (demo.api_key.empty()) continue;
        demo_keys = true;
        std::cout << "  account " << demo.id << " " << demo.name << "  X-API-Key: " << demo.api_key
                  << "\n";
    }
    std::cout << std::flush;
    if (demo_keys && !loopback(config_.host)) {
        spdlog::warn(
            "*** {} is not a loopback address and the configuration holds demo API keys in plain "
            "text: anyone who reaches this port can trade with them. Give accounts "
            "api_key_sha256 instead (docs/SECURITY.md). ***",
            config_.host);
    }
}

void Exchange::run() {
    start();
    announce();
    net::signal_set signals(io_, SIGINT, SIGTERM);
    net::steady_timer grace(io_);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: stopping", signal);
        stop();
        grace.expires_after(std::chrono::milliseconds(300));
        grace.async_wait([this](const boost::system::error_code&) {
            io_.stop();
            ws_io_.stop();
        });
    });
    std::thread ws_threads([this] { run_io(ws_io_, threads_, "ws"); });
    run_io(io_, threads_);
    ws_threads.join();
    stop();
    store_reads_.join();
    spdlog::info("stopped at sequence {}", sequencer_.committed_sequence());
}

}  // namespace

int run_exchange(const Config& config) {
    raise_descriptor_limit();
    Exchange(config).run();
    return 0;
}

}  // namespace xtrader::app
