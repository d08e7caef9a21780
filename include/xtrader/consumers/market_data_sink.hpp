// The mdp-group's sink: reads the Kafka topic `market-data` (market_data_codec.hpp) into a
// MarketData, in full mode, in place of the journal follower of embedded mode. MarketData::apply
// drops what it has applied before, so a replayed message changes nothing.
//
// Threads: its TopicConsumer's, which also calls MarketData's listener.
#pragma once

#include <vector>

#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/market_data_cache.hpp"
#include "xtrader/consumers/topic_consumer.hpp"

namespace xtrader {

class MarketDataSink final : public TopicSink {
  public:
    // cache: where each batch's changes are written (MarketDataCache); none: memory only.
    MarketDataSink(const MarketCatalog& catalog, MarketData& market_data,
                   MarketDataCache* cache = nullptr)
        : catalog_(catalog), market_data_(market_data), cache_(cache) {}

    bool take(const KafkaRecord& record, std::string& error) override;
    // Writes the batch's changes to the cache, when there is one.
    void flush() override;
    // With a cache: every market restarts from it (another member may have moved it on).
    void on_assigned() override;
    std::uint64_t duplicates() const override { return market_data_.duplicates(); }

  private:
    MarketChanges& changes_of(MarketId market);

    const MarketCatalog& catalog_;
    MarketData& market_data_;
    MarketDataCache* cache_;
    std::vector<MarketChanges> pending_;  // this batch's, one per market touched
    std::vector<PublicTrade> trades_;     // reused
    std::vector<BookDelta> book_;
};

}  // namespace xtrader
