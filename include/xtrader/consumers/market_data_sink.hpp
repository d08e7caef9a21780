// The mdp-group's sink: reads the Kafka topic `market-data` (market_data_codec.hpp) into a
// MarketData, in full mode, in place of the journal follower of embedded mode. MarketData::apply
// drops what it has applied before, so a replayed message changes nothing.
//
// Threads: its TopicConsumer's, which also calls MarketData's listener.
#pragma once

#include <vector>

#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/market_data_cache.hpp"
#include "xtrader/consumers/topic_consumer.hpp"
#include "xtrader/store/postgres_store.hpp"

namespace xtrader {

// Applies one market-data message (market_data_codec.hpp) to `data`; `trades` and `book` are
// left holding what it carried (reused between calls).
MarketData::Applied apply_market_data(MarketData& data, const MarketDataMessage& message,
                                      std::vector<PublicTrade>& trades,
                                      std::vector<BookDelta>& book);

// Told of each batch's changes once they are applied and cached: what the MDP announces beyond
// the cache (the ticker and candle messages of the notification exchange). Called on the sink's
// thread; must not block.
class MarketDataBatchListener {
  public:
    virtual ~MarketDataBatchListener() = default;
    virtual void on_batch(const MarketData& data, const std::vector<MarketChanges>& changes) = 0;
};

class MarketDataSink final : public TopicSink {
  public:
    // cache: where each batch's changes and offsets are written, and what a member starts from
    // (none: memory only, from the group's commits). executions: where a partition's markets are
    // rebuilt from when neither the cache nor the topic holds their beginning (may be null).
    MarketDataSink(const MarketCatalog& catalog, MarketData& market_data,
                   MarketDataCache* cache = nullptr, PostgresStore* executions = nullptr)
        : catalog_(catalog), market_data_(market_data), cache_(cache), executions_(executions) {}

    void set_batch_listener(MarketDataBatchListener* listener) noexcept {
        batch_listener_ = listener;
    }

    bool take(const KafkaRecord& record, std::string& error) override;
    // Writes the batch's changes and offsets to the cache, when there is one, then tells the
    // batch listener.
    void flush() override;
    // With a cache: a partition it has an offset for starts there, its markets as the cache
    // holds them; any other starts at the topic's beginning, its markets rebuilt (from
    // PostgreSQL's executions first when the topic has lost its beginning).
    void on_assigned(std::vector<KafkaAssignment>& partitions) override;
    std::uint64_t duplicates() const override { return market_data_.duplicates(); }

  private:
    MarketChanges& changes_of(MarketId market);
    bool in_partition(MarketId market, const KafkaAssignment& partition) const;
    void rebuild_from_executions(MarketId market);

    const MarketCatalog& catalog_;
    MarketData& market_data_;
    MarketDataCache* cache_;
    PostgresStore* executions_;
    MarketDataBatchListener* batch_listener_ = nullptr;
    bool migrated_ = false;
    std::string topic_;
    std::vector<MarketChanges> pending_;    // this batch's, one per market touched
    std::vector<PartitionOffset> offsets_;  // this batch's, one per partition read
    std::vector<PublicTrade> trades_;       // reused
    std::vector<BookDelta> book_;
};

}  // namespace xtrader
