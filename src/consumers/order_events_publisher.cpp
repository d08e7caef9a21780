#include "xtrader/consumers/order_events_publisher.hpp"

#include "xtrader/consumers/order_event_codec.hpp"

namespace xtrader {

OrderEventsPublisher::OrderEventsPublisher(const MarketCatalog& catalog, TradeStore& store,
                                           KafkaProducerOptions producer, std::string topic,
                                           std::filesystem::path cursor_path)
    : catalog_(catalog),
      store_(store),
      producer_(std::move(producer)),
      topic_(std::move(topic)),
      cursor_(std::move(cursor_path)),
      position_(cursor_.load()) {}

void OrderEventsPublisher::consume(std::span<const JournalRecord> records) {
    const Sequence last = records.back().sequence;
    OrderChange message;
    Sequence sequence = 0;
    for (auto& order : store_.order_events(position_, last)) {
        message.change = order.sequence == sequence ? message.change + 1 : 0;
        sequence = order.sequence;
        message.order = std::move(order);
        payload_.clear();
        encode_order_event(catalog_, message, payload_);
        key_ = std::to_string(message.order.account);
        producer_.produce(topic_, key_, payload_);
    }
    producer_.flush();
    cursor_.store(last);
    position_ = last;
}

bool OrderEventsPublisher::probe() {
    return producer_.reachable(std::chrono::milliseconds(2000));
}

}  // namespace xtrader
