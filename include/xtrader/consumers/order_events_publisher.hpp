// Publishes every change of every order (order_event_codec.hpp), keyed by account id: to the Kafka
// topic `order-events`, and to the RabbitMQ exchange with routing keys `order.<ACCOUNT>` for the
// WebSocket gateways' `orders` channel (a KeyedSink each). The changes come from the trade store's
// outbox, written in the same transaction as the orders they lead to (TradeRecorder), so the topic
// and the store never disagree. A RecordConsumer for a JournalFollower whose committed sequence is
// the trade store's position: the follower supplies the batching, the health states and the replay,
// and a batch's journal range says which outbox changes to publish.
//
// The cursor file moves only once the broker acknowledged the batch (Kafka's acks=all with an
// idempotent producer, RabbitMQ's confirms of persistent messages); a failed batch is sent again,
// whole: a consumer may see a change twice and keeps the greatest (sequence, change) of each order.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/keyed_sink.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader {

class OrderEventsPublisher final : public RecordConsumer {
  public:
    // A Kafka topic is created by the KafkaPublisher, with the market-data topics.
    OrderEventsPublisher(const MarketCatalog& catalog, TradeStore& store,
                         std::unique_ptr<KeyedSink> sink, std::filesystem::path cursor_path);

    Sequence position() override { return position_; }
    void consume(std::span<const JournalRecord> records) override;
    bool probe() override;

  private:
    const MarketCatalog& catalog_;
    TradeStore& store_;
    std::unique_ptr<KeyedSink> sink_;
    CursorFile cursor_;
    Sequence position_;
    std::string payload_;  // reused
    std::string key_;
};

}  // namespace xtrader
