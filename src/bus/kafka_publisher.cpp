#include "xtrader/bus/kafka_publisher.hpp"

#include <spdlog/spdlog.h>

namespace xtrader {

KafkaPublisher::KafkaPublisher(const MarketCatalog& catalog, KafkaPublisherOptions options,
                               std::filesystem::path cursor_path)
    : catalog_(catalog),
      options_(std::move(options)),
      producer_(options_.producer),
      cursor_(std::move(cursor_path)),
      position_(cursor_.load()) {}

bool KafkaPublisher::create_topics(std::chrono::milliseconds timeout) {
    if (topics_ready_) return true;
    if (!producer_.reachable(timeout)) return false;
    producer_.create_topics(
        {options_.market_data, options_.market_data_dead_letters, options_.order_events,
         options_.order_events_dead_letters, options_.surveillance_alerts},
        timeout);
    topics_ready_ = true;
    return true;
}

void KafkaPublisher::publish(const MarketDataMessage& message, MarketId market) {
    payload_.clear();
    encode_market_data(catalog_, message, payload_);
    producer_.produce(options_.market_data.name, catalog_.markets[market].symbol, payload_);
}

void KafkaPublisher::consume(std::span<const JournalRecord> records) {
    if (!topics_ready_ && !create_topics(options_.producer.delivery_timeout)) {
        throw KafkaError("kafka: the cluster does not answer");
    }
    for (const auto& record : records) {
        market_data_messages(record, delta_,
                             [this](const MarketDataMessage& message, MarketId market) {
                                 publish(message, market);
                             });
    }
    producer_.flush();
    cursor_.store(records.back().sequence);
    position_ = records.back().sequence;
}

bool KafkaPublisher::probe() {
    constexpr std::chrono::milliseconds kProbeTimeout{2000};
    try {
        return producer_.reachable(kProbeTimeout) && create_topics(kProbeTimeout);
    } catch (const KafkaError& e) {
        spdlog::warn("kafka: {}", e.what());
        return false;
    }
}

}  // namespace xtrader
