// Publishes every change of every order to the Kafka topic `order-events` (order_event_codec.hpp),
// keyed by account id. The changes come from the trade store's outbox, written in the same
// transaction as the orders they lead to (TradeRecorder), so the topic and the store never
// disagree. A RecordConsumer for a JournalFollower whose committed sequence is the trade
// store's position: the follower supplies the batching, the health states and the replay, and
// a batch's journal range says which outbox changes to publish.
//
// The cursor file moves only once the brokers acknowledged the batch (acks=all, idempotent
// producer); a failed batch is produced again, whole: a consumer may see a change twice and
// keeps the greatest (sequence, change) of each order.
#pragma once

#include <filesystem>
#include <string>

#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/kafka_producer.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader {

class OrderEventsPublisher final : public RecordConsumer {
  public:
    // The topic is created by the KafkaPublisher, with the market-data topics.
    OrderEventsPublisher(const MarketCatalog& catalog, TradeStore& store,
                         KafkaProducerOptions producer, std::string topic,
                         std::filesystem::path cursor_path);

    Sequence position() override { return position_; }
    void consume(std::span<const JournalRecord> records) override;
    bool probe() override;

  private:
    const MarketCatalog& catalog_;
    TradeStore& store_;
    KafkaProducer producer_;
    std::string topic_;
    CursorFile cursor_;
    Sequence position_;
    std::string payload_;  // reused
    std::string key_;
};

}  // namespace xtrader
