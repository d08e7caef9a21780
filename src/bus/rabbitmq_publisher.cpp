#include "xtrader/bus/rabbitmq_publisher.hpp"

namespace xtrader {

RabbitMqPublisher::RabbitMqPublisher(const MarketCatalog& catalog, RabbitMqPublisherOptions options,
                                     std::filesystem::path cursor_path)
    : catalog_(catalog),
      exchange_(std::move(options.endpoint), std::move(options.exchange), options.confirm_window),
      cursor_(std::move(cursor_path)),
      position_(cursor_.load()) {}

void RabbitMqPublisher::publish(const MarketDataMessage& message, MarketId market) {
    payload_.clear();
    encode_market_data(catalog_, message, payload_);
    routing_key_ = std::holds_alternative<ExecutionMessage>(message) ? "execution." : "orderbook.";
    routing_key_ += catalog_.markets[market].symbol;
    // Transient: a gateway resynchronises a book whose changes a broker restart dropped.
    exchange_.publish(routing_key_, payload_, RabbitMqDelivery::Transient);
    unconfirmed_.store(exchange_.outstanding(), std::memory_order_relaxed);
}

void RabbitMqPublisher::consume(std::span<const JournalRecord> records) {
    unconfirmed_.store(0, std::memory_order_relaxed);  // a failed batch's window is gone
    for (const auto& record : records) {
        market_data_messages(record, delta_,
                             [this](const MarketDataMessage& message, MarketId market) {
                                 publish(message, market);
                             });
    }
    exchange_.wait_confirms();
    unconfirmed_.store(0, std::memory_order_relaxed);
    cursor_.store(records.back().sequence);
    position_ = records.back().sequence;
}

}  // namespace xtrader
