// The mdp-group's sink: reads the Kafka topic `market-data` (market_data_codec.hpp) into a
// MarketData, in full mode, in place of the journal follower of embedded mode. MarketData::apply
// drops what it has applied before, so a replayed message changes nothing.
//
// Threads: its TopicConsumer's, which also calls MarketData's listener.
#pragma once

#include <vector>

#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/topic_consumer.hpp"

namespace xtrader {

class MarketDataSink final : public TopicSink {
  public:
    MarketDataSink(const MarketCatalog& catalog, MarketData& market_data)
        : catalog_(catalog), market_data_(market_data) {}

    bool take(const KafkaRecord& record, std::string& error) override;
    std::uint64_t duplicates() const override { return market_data_.duplicates(); }

  private:
    const MarketCatalog& catalog_;
    MarketData& market_data_;
    std::vector<PublicTrade> trades_;  // reused
    std::vector<BookDelta> book_;
};

}  // namespace xtrader
