#include "xtrader/consumers/market_data_sink.hpp"

#include "xtrader/bus/market_data_codec.hpp"

namespace xtrader {

bool MarketDataSink::take(const KafkaRecord& record, std::string& error) {
    const auto message = decode_market_data(catalog_, record.payload, error);
    if (!message) return false;
    if (const auto* e = std::get_if<ExecutionMessage>(&*message)) {
        const Trade& t = e->trade;
        const Timestamp time = e->time_ms * kNanosPerMilli;
        trades_.assign({{t.exec_id, t.price, t.quantity, t.taker_side, time, e->sequence}});
        market_data_.apply(t.market, e->sequence, time, trades_, {});
        return true;
    }
    const auto& delta = std::get<BookDeltaMessage>(*message);
    book_.clear();
    for (const auto& c : delta.changes) book_.push_back({c.side, c.price, c.volume, c.order_count});
    market_data_.apply(delta.market, delta.sequence, delta.time_ms * kNanosPerMilli, {}, book_);
    return true;
}

}  // namespace xtrader
