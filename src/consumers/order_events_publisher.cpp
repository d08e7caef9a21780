#include "xtrader/consumers/order_events_publisher.hpp"

#include "xtrader/consumers/order_event_codec.hpp"

namespace xtrader {

OrderEventsPublisher::OrderEventsPublisher(const MarketCatalog& catalog, TradeStore& store,
                                           std::unique_ptr<KeyedSink> sink,
                                           std::filesystem::path cursor_path)
    : catalog_(catalog),
      store_(store),
      sink_(std::move(sink)),
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
        sink_->send(key_, payload_);
    }
    sink_->flush();
    cursor_.store(last);
    position_ = last;
}

bool OrderEventsPublisher::probe() {
    return sink_->reachable();
}

}  // namespace xtrader
