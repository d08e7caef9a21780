#include "xtrader/consumers/market_data_sink.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "xtrader/bus/market_data_codec.hpp"

namespace xtrader {

MarketData::Applied apply_market_data(MarketData& data, const MarketDataMessage& message,
                                      std::vector<PublicTrade>& trades,
                                      std::vector<BookDelta>& book) {
    trades.clear();
    book.clear();
    if (const auto* e = std::get_if<ExecutionMessage>(&message)) {
        const Trade& t = e->trade;
        const Timestamp time = e->time_ms * kNanosPerMilli;
        trades.push_back({t.exec_id, t.price, t.quantity, t.taker_side, time, e->sequence});
        return data.apply(t.market, e->sequence, time, trades, {});
    }
    const auto& delta = std::get<BookDeltaMessage>(message);
    for (const auto& c : delta.changes) book.push_back({c.side, c.price, c.volume, c.order_count});
    return data.apply(delta.market, delta.sequence, delta.time_ms * kNanosPerMilli, {}, book,
                      delta.version);
}

MarketChanges& MarketDataSink::changes_of(MarketId market) {
    for (auto& c : pending_) {
        if (c.market == market) return c;
    }
    return pending_.emplace_back(MarketChanges{market, {}, {}});
}

bool MarketDataSink::take(const KafkaRecord& record, std::string& error) {
    if (cache_ != nullptr) {
        // Dead letters too: the cache's offset is where reading goes on.
        if (topic_.empty()) topic_ = record.topic;
        const auto it = std::find_if(offsets_.begin(), offsets_.end(), [&](const auto& o) {
            return o.partition == record.partition;
        });
        if (it == offsets_.end()) {
            offsets_.push_back({record.partition, record.offset + 1});
        } else {
            it->next = record.offset + 1;
        }
    }
    const auto message = decode_market_data(catalog_, record.payload, error);
    if (!message) return false;
    const auto applied = apply_market_data(market_data_, *message, trades_, book_);
    if (cache_ == nullptr && batch_listener_ == nullptr) return true;
    if (const auto* e = std::get_if<ExecutionMessage>(&*message)) {
        if (applied.fresh_trades != 0) changes_of(e->trade.market).trades.push_back(trades_.back());
    } else if (applied.book_changed) {
        auto& into = changes_of(std::get<BookDeltaMessage>(*message).market).book;
        into.insert(into.end(), book_.begin(), book_.end());
    }
    return true;
}

void MarketDataSink::flush() {
    if (pending_.empty() && offsets_.empty()) return;
    if (cache_ != nullptr) {
        cache_->write(market_data_, pending_, topic_, offsets_);  // throws: called again
    }
    if (batch_listener_ != nullptr) batch_listener_->on_batch(market_data_, pending_);
    pending_.clear();
    offsets_.clear();
}

bool MarketDataSink::in_partition(MarketId market, const KafkaAssignment& partition) const {
    if (partition.partition_count <= 0) return true;  // the cluster did not say: any may be
    return kafka_partition_of(catalog_.markets[market].symbol, partition.partition_count) ==
           partition.partition;
}

void MarketDataSink::on_assigned(std::vector<KafkaAssignment>& partitions) {
    if (cache_ == nullptr || partitions.empty()) return;
    topic_ = partitions.front().topic;
    const auto cached = cache_->offsets(topic_);
    for (auto& p : partitions) {
        const auto found = std::find_if(cached.begin(), cached.end(),
                                        [&](const auto& o) { return o.partition == p.partition; });
        const bool in_cache = found != cached.end();
        p.start = in_cache ? found->next : KafkaAssignment::kBeginning;
        // The topic no longer holds what comes after the cache (or the beginning): PostgreSQL's
        // executions fill the markets' trades and candles; the book comes back level by level
        // from the book changes the topic still holds.
        const bool gap = (in_cache ? found->next : 0) < p.low;
        if (!in_cache) {
            spdlog::info(
                "mdp: partition {} of {} is not in the cache; its markets are rebuilt "
                "from offset {}{}",
                p.partition, p.topic, p.low,
                gap && executions_ != nullptr ? " after PostgreSQL's executions" : "");
        }
        if (gap && executions_ == nullptr) {
            spdlog::warn(
                "mdp: {} holds partition {} from offset {} only and no PostgreSQL is "
                "configured: the trades before are missing from its markets",
                p.topic, p.partition, p.low);
        }
        for (MarketId m = 0; m < catalog_.markets.size(); ++m) {
            if (!in_partition(m, p)) continue;
            if (in_cache) {
                market_data_.restore(m, cache_->read(m).value_or(MarketSnapshot{}));
            } else {
                cache_->clear(m);
                market_data_.restore(m, MarketSnapshot{});
            }
            if (gap && executions_ != nullptr) rebuild_from_executions(m);
        }
    }
}

void MarketDataSink::rebuild_from_executions(MarketId market) {
    constexpr std::size_t kBatch = 10000;
    if (!migrated_) {  // the index that reads a market's trades in order
        PostgresStore::migrate(executions_->dsn());
        migrated_ = true;
    }
    for (;;) {
        const auto batch =
            executions_->trades(market, market_data_.applied(market).last_exec_id, kBatch);
        for (const auto& t : batch) {
            const Timestamp time = t.time_ms * kNanosPerMilli;
            trades_.assign({{t.exec_id, t.price, t.quantity, t.taker_side, time, t.sequence}});
            if (market_data_.apply(market, t.sequence, time, trades_, {}).fresh_trades != 0) {
                changes_of(market).trades.push_back(trades_.back());
            }
        }
        flush();  // each batch, so that memory stays bounded
        if (batch.size() < kBatch) return;
    }
}

}  // namespace xtrader
