// Publishes the journal's market events to the Kafka topic `market-data` (market_data_codec.hpp):
// every execution and every command's book changes, keyed by symbol. A RecordConsumer for a
// JournalFollower, which supplies the batching, the health states and the replay.
//
// The cursor file moves only when the brokers have acknowledged every message of the batch
// (acks=all, idempotent producer); a batch that fails is produced again, whole, after the
// cluster answers a probe, so a message may reach the topic twice after an outage or a crash,
// never zero times. Consumers drop what they have applied by `sequence`.
#pragma once

#include <filesystem>
#include <string>

#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/kafka_producer.hpp"
#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/core/market.hpp"

namespace xtrader {

struct KafkaPublisherOptions {
    KafkaProducerOptions producer;
    KafkaTopic market_data{"market-data", 3, 1};
    // Where the topic's consumers put a message they cannot read; created with the topic.
    KafkaTopic market_data_dead_letters{"market-data.dlq", 1, 1};
    // The order-events topic and its dead letters (OrderEventsPublisher publishes to it): every
    // topic of the pipeline is created in one place.
    KafkaTopic order_events{"order-events", 3, 1};
    KafkaTopic order_events_dead_letters{"order-events.dlq", 1, 1};
    // Where the surveillance groups produce their alerts, keyed by symbol.
    KafkaTopic surveillance_alerts{"surveillance-alerts", 3, 1};
};

class KafkaPublisher final : public RecordConsumer {
  public:
    KafkaPublisher(const MarketCatalog& catalog, KafkaPublisherOptions options,
                   std::filesystem::path cursor_path);

    // Creates the topics when the cluster answers within `timeout`: true when they exist, false
    // when the cluster is not reachable (the publisher then starts degraded and creates them
    // when it is). Throws KafkaError when the cluster refuses them: a configuration to fix.
    bool create_topics(std::chrono::milliseconds timeout);

    Sequence position() override { return position_; }
    // Throws KafkaError (or std::system_error from the cursor file) to have the batch retried.
    void consume(std::span<const JournalRecord> records) override;
    bool probe() override;

  private:
    void publish(const MarketDataMessage& message, MarketId market);

    const MarketCatalog& catalog_;
    KafkaPublisherOptions options_;
    KafkaProducer producer_;
    CursorFile cursor_;
    Sequence position_;
    bool topics_ready_ = false;
    BookDeltaMessage delta_;  // reused
    std::string payload_;     // reused: no allocation per message
};

}  // namespace xtrader
