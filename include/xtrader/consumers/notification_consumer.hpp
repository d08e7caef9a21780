// A WebSocket gateway's feed: its own queue on the RabbitMQ exchange `market-notifications`,
// read into a MarketData mirror (executions, book deltas: the gateway's book snapshots come from
// it), the accounts' order updates and the MDP's ticker and candle messages, all handed to a
// GatewayListener.
//
// Topology, declared (idempotently) at every connection, NAME being the gateway's name:
//   ws-gateway.NAME        durable, deleted `queue_expires` after its gateway is gone; bound to
//                          execution.*, orderbook.*, order.*, ticker.* and candle.*.*; what it
//                          rejects goes to
//   ws-gateway.NAME.retry  holding each message `retry_delay`, then dead-lettering it back;
//   EXCHANGE.dlq           (market-notifications.dlq) where a message rejected `max_retries`
//                          times is put, with the reason, its routing key and the gateway in
//                          its headers (x-reason, x-routing-key, x-gateway, x-attempts).
// Deliveries are acknowledged manually (in groups), at most `prefetch` unacknowledged.
//
// The mirror starts from the market-data cache (Redis, written by the mdp-group). A book delta
// whose version is not the next one (transient messages lost in a broker restart) holds the
// market's messages while it resynchronises: once the cache has reached the missing versions,
// the trades the gateway had not seen are applied (and announced) from the cache's, the book is
// replaced by the cache's, subscribers get a fresh snapshot and the held messages follow. The
// same happens when the queue stays idle while the cache is ahead of the mirror for a probe
// interval: a lost book change is never missed silently, even when no other change follows.
// Trades beyond the cache's last MarketData::kTradesKept cannot come back this way.
//
// Threads: one of its own (start/stop), which calls the listener and writes the MarketData.
// figures() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/bus/rabbitmq_connection.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/market_data_cache.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader {

class GatewayListener : public MarketDataListener {
  public:
    // An order changed (each change once, in order, per account).
    virtual void on_order(const OrderRecord& order) = 0;
    // The market's book was replaced by the cache's: its subscribers need a fresh snapshot.
    virtual void on_book_resync(MarketId market) = 0;
    // A message the MDP made for a WebSocket channel (ticker:SYM, candles:SYM:INTERVAL), as is.
    virtual void on_relay(const std::string& channel, std::string message) = 0;
};

struct NotificationConsumerOptions {
    RabbitMqEndpoint endpoint;
    std::string exchange = "market-notifications";
    std::string gateway;  // NAME
    std::uint16_t prefetch = 1024;
    std::chrono::milliseconds queue_expires{60'000};
    std::chrono::milliseconds retry_delay{1'000};
    std::int64_t max_retries = 3;
    // Between attempts to reach the broker, and between checks of the cache.
    std::chrono::milliseconds probe_interval{1'000};
    // Messages held per market while it resynchronises; beyond, the oldest are dropped and
    // the cache must reach them instead.
    std::size_t resync_hold = 65'536;
};

// What /metrics and /api/v1/system/pipelines show of a gateway's feed.
struct GatewayFigures {
    std::string queue;
    bool connected = false;
    std::uint64_t delivered = 0;  // messages taken from the queue
    std::uint64_t resyncs = 0;    // markets restored from the cache
    std::uint64_t retries = 0;    // rejected into the retry queue
    std::uint64_t dead_letters = 0;
    std::uint64_t queue_depth = 0;  // ready in the queue, at the last check
    std::uint64_t reconnects = 0;
    std::string last_error;
};

class NotificationConsumer {
  public:
    NotificationConsumer(const MarketCatalog& catalog, NotificationConsumerOptions options,
                         MarketData& mirror, MarketDataCache& cache, GatewayListener& listener);
    ~NotificationConsumer();
    NotificationConsumer(const NotificationConsumer&) = delete;
    NotificationConsumer& operator=(const NotificationConsumer&) = delete;

    // Restores every market from the cache (not announced: no client is connected yet), then
    // consumes on a thread of its own.
    void start();
    void stop();
    GatewayFigures figures() const;
    const std::string& queue() const noexcept { return queue_; }

  private:
    struct MarketState {
        bool resyncing = false;
        std::uint64_t need_version = 0;     // the cache must have reached it
        std::uint64_t suspect_version = 0;  // the cache's, ahead of the mirror at the last check
        std::deque<MarketDataMessage> held;
        std::vector<MarketDataMessage> waiting;  // executions before their command's book change
    };

    void run();
    void connect();
    void take(const RabbitMqMessage& message);
    // Applies a delivery; the reason it cannot, or an empty string.
    std::string handle(const RabbitMqMessage& message);
    void apply(MarketId market, MarketDataMessage message);
    // A ticker or candle message of the MDP, to its channel; the reason it cannot, or "".
    std::string relay(std::string_view key, const std::string& body);
    void hold(MarketState& state, MarketDataMessage message);
    void begin_resync(MarketState& state);
    // Restores the market's book from the cache, and the trades the mirror lacks, when the
    // cache has what the market needs; then applies what was held.
    bool resync(MarketId market);
    // Resynchronises what waits for the cache, and what the cache has that the mirror lacks.
    void check_cache(bool queue_idle);
    void dead_letter(const RabbitMqMessage& message, const std::string& reason);
    void fail(const std::string& what);

    const MarketCatalog& catalog_;
    NotificationConsumerOptions options_;
    std::string queue_, retry_queue_, dead_letter_queue_;
    MarketData& mirror_;
    MarketDataCache& cache_;
    GatewayListener& listener_;
    RabbitMqConnection consumer_;
    RabbitMqConnection publisher_;  // dead letters and queue depths: confirms apart from deliveries
    std::vector<MarketState> markets_;
    // Per account, the (sequence, change) of the last order update passed on.
    std::unordered_map<AccountId, std::pair<Sequence, std::uint32_t>> orders_seen_;
    std::vector<PublicTrade> trades_;  // reused
    std::vector<BookDelta> book_;
    std::uint64_t unacked_ = 0;  // the last delivery tag not acknowledged yet, 0 none
    std::size_t unacked_count_ = 0;
    std::chrono::steady_clock::time_point last_check_{};

    std::atomic<bool> stopping_{false};
    std::thread thread_;
    mutable std::mutex figures_mutex_;
    GatewayFigures figures_;
};

}  // namespace xtrader
