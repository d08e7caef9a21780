#include "xtrader/consumers/market_data_sink.hpp"

#include "xtrader/bus/market_data_codec.hpp"

namespace xtrader {

MarketChanges& MarketDataSink::changes_of(MarketId market) {
    for (auto& c : pending_) {
        if (c.market == market) return c;
    }
    return pending_.emplace_back(MarketChanges{market, {}, {}});
}

bool MarketDataSink::take(const KafkaRecord& record, std::string& error) {
    const auto message = decode_market_data(catalog_, record.payload, error);
    if (!message) return false;
    if (const auto* e = std::get_if<ExecutionMessage>(&*message)) {
        const Trade& t = e->trade;
        const Timestamp time = e->time_ms * kNanosPerMilli;
        trades_.assign({{t.exec_id, t.price, t.quantity, t.taker_side, time, e->sequence}});
        const auto applied = market_data_.apply(t.market, e->sequence, time, trades_, {});
        if (cache_ != nullptr && applied.fresh_trades != 0) {
            changes_of(t.market).trades.push_back(trades_.back());
        }
        return true;
    }
    const auto& delta = std::get<BookDeltaMessage>(*message);
    book_.clear();
    for (const auto& c : delta.changes) book_.push_back({c.side, c.price, c.volume, c.order_count});
    const auto applied =
        market_data_.apply(delta.market, delta.sequence, delta.time_ms * kNanosPerMilli, {}, book_);
    if (cache_ != nullptr && applied.book_changed) {
        auto& into = changes_of(delta.market).book;
        into.insert(into.end(), book_.begin(), book_.end());
    }
    return true;
}

void MarketDataSink::flush() {
    if (cache_ == nullptr || pending_.empty()) return;
    cache_->write(market_data_, pending_);  // throws: the consumer calls flush() again
    pending_.clear();
}

void MarketDataSink::on_assigned() {
    if (cache_ == nullptr) return;
    for (MarketId m = 0; m < catalog_.markets.size(); ++m) {
        if (auto snapshot = cache_->read(m)) market_data_.restore(m, *snapshot);
    }
}

}  // namespace xtrader
