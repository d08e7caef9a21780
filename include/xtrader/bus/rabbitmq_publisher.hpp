// Publishes the journal's market events to the RabbitMQ topic exchange `market-notifications`,
// the feed of the WebSocket gateways: each execution with routing key `execution.<SYMBOL>` and
// each command's book changes with `orderbook.<SYMBOL>`, in market_data_codec.hpp's JSON (the
// Kafka topic's messages: the journal `sequence` and, for the book, its `version`). A
// RecordConsumer for a JournalFollower, which supplies the batching, the health states and the
// replay.
//
// Publisher confirms over a window of outstanding messages (not one wait per message); the
// cursor file moves only when every message of the batch is confirmed. A batch that fails is
// published again, whole, once the broker answers a probe, so a message may arrive twice after
// an outage or a crash, never zero times; messages are transient, so a broker restart may drop
// some that were queued, which the gateways see as a gap in a book's version.
#pragma once

#include <atomic>
#include <filesystem>
#include <string>

#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/bus/rabbitmq_connection.hpp"
#include "xtrader/core/market.hpp"

namespace xtrader {

struct RabbitMqPublisherOptions {
    RabbitMqEndpoint endpoint;
    std::string exchange = "market-notifications";  // durable, topic
    // Messages published ahead of their confirms; past it the publisher waits for half of them.
    std::size_t confirm_window = 4096;
};

class RabbitMqPublisher final : public RecordConsumer {
  public:
    RabbitMqPublisher(const MarketCatalog& catalog, RabbitMqPublisherOptions options,
                      std::filesystem::path cursor_path);

    Sequence position() override { return position_; }
    // Throws RabbitMqError (or std::system_error from the cursor file) to have the batch retried.
    void consume(std::span<const JournalRecord> records) override;
    // Whether the broker takes a connection and the exchange's declaration.
    bool probe() override { return exchange_.reachable(); }
    // Published and not confirmed yet, as of the last message.
    std::uint64_t unacknowledged() const noexcept override {
        return unconfirmed_.load(std::memory_order_relaxed);
    }

  private:
    void publish(const MarketDataMessage& message, MarketId market);

    const MarketCatalog& catalog_;
    RabbitMqExchange exchange_;
    CursorFile cursor_;
    Sequence position_;
    std::atomic<std::uint64_t> unconfirmed_{0};
    BookDeltaMessage delta_;   // reused
    std::string payload_;      // reused
    std::string routing_key_;  // reused
};

}  // namespace xtrader
