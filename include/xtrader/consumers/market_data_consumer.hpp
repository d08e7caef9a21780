// The `mdp-group` member: reads the Kafka topic `market-data` (market_data_codec.hpp) into a
// MarketData, in full mode, in place of the journal follower of embedded mode. Offsets are
// committed after each batch is applied; what a replay or a rebalance brings again is dropped by
// MarketData::apply. A message that cannot be read (not JSON, an unknown symbol) is logged with
// its partition and offset and produced, as it was, to the dead-letter topic with the reason in
// its headers; it is never retried.
//
// Threads: one of its own, which also calls MarketData's listener. figures() from any thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/bus/kafka_consumer.hpp"
#include "xtrader/bus/kafka_producer.hpp"
#include "xtrader/consumers/market_data.hpp"

namespace xtrader {

struct MarketDataConsumerOptions {
    KafkaConsumerOptions consumer{.group = "mdp-group"};
    std::string topic = "market-data";
    KafkaTopic dead_letters{"market-data.dlq", 1, 1};
    std::size_t max_batch = 4096;
};

// What /metrics and the pipelines read-out show of a consumer group member.
struct ConsumerFigures {
    std::string group;
    bool connected = false;  // the last poll or commit reached the brokers
    std::uint64_t applied = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t dead_letters = 0;
    std::uint64_t failures = 0;  // broker errors seen by poll and commit
    std::vector<KafkaPartitionLag> partitions;
};

class MarketDataConsumer {
  public:
    MarketDataConsumer(const MarketCatalog& catalog, MarketData& market_data,
                       MarketDataConsumerOptions options);
    ~MarketDataConsumer();
    MarketDataConsumer(const MarketDataConsumer&) = delete;
    MarketDataConsumer& operator=(const MarketDataConsumer&) = delete;

    void start();
    // Leaves the group after committing what was applied.
    void stop();

    ConsumerFigures figures() const;

  private:
    void run();
    void take(const KafkaRecord& record);
    void dead_letter(const KafkaRecord& record, const std::string& reason);

    const MarketCatalog& catalog_;
    MarketData& market_data_;
    MarketDataConsumerOptions options_;
    KafkaConsumer consumer_;
    KafkaProducer dead_letter_producer_;
    std::size_t pending_dead_letters_ = 0;  // produced since the last flush
    std::vector<PublicTrade> trades_;
    std::vector<BookDelta> book_;
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> dead_letters_{0};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace xtrader
