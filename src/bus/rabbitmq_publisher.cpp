#include "xtrader/bus/rabbitmq_publisher.hpp"

#include <spdlog/spdlog.h>

namespace xtrader {

RabbitMqPublisher::RabbitMqPublisher(const MarketCatalog& catalog, RabbitMqPublisherOptions options,
                                     std::filesystem::path cursor_path)
    : catalog_(catalog),
      options_(std::move(options)),
      connection_(options_.endpoint),
      cursor_(std::move(cursor_path)),
      position_(cursor_.load()) {}

void RabbitMqPublisher::connect() {
    if (connection_.is_open()) return;
    connection_.open();
    connection_.declare_exchange(options_.exchange, "topic");
}

void RabbitMqPublisher::publish(const MarketDataMessage& message, MarketId market) {
    payload_.clear();
    encode_market_data(catalog_, message, payload_);
    routing_key_ = std::holds_alternative<ExecutionMessage>(message) ? "execution." : "orderbook.";
    routing_key_ += catalog_.markets[market].symbol;
    connection_.publish(options_.exchange, routing_key_, payload_);
    if (connection_.outstanding() >= options_.confirm_window) {
        connection_.wait_confirms(options_.confirm_window / 2);
    }
}

void RabbitMqPublisher::consume(std::span<const JournalRecord> records) {
    connect();
    for (const auto& record : records) {
        market_data_messages(record, delta_,
                             [this](const MarketDataMessage& message, MarketId market) {
                                 publish(message, market);
                             });
    }
    connection_.wait_confirms();
    cursor_.store(records.back().sequence);
    position_ = records.back().sequence;
}

bool RabbitMqPublisher::probe() {
    try {
        connect();
        return true;
    } catch (const RabbitMqError& e) {
        spdlog::warn("{}", e.what());
        return false;
    }
}

}  // namespace xtrader
