// The order-history group's sink: every order's latest state from the Kafka topic `order-events`
// (order_event_codec.hpp) into PostgreSQL's `orders` table. A batch's changes become one upsert
// holding each order's greatest (sequence, change); the table keeps a row's greater one, so a
// replayed or older event never moves an order backwards.
//
// Threads: its TopicConsumer's.
#pragma once

#include <atomic>
#include <unordered_map>
#include <vector>

#include "xtrader/consumers/topic_consumer.hpp"
#include "xtrader/store/postgres_store.hpp"

namespace xtrader {

class OrderHistorySink final : public TopicSink {
  public:
    OrderHistorySink(const MarketCatalog& catalog, PostgresStore& store)
        : catalog_(catalog), store_(store) {}

    bool take(const KafkaRecord& record, std::string& error) override;
    void flush() override;
    std::uint64_t duplicates() const override {
        return duplicates_.load(std::memory_order_relaxed);
    }

  private:
    const MarketCatalog& catalog_;
    PostgresStore& store_;
    std::unordered_map<OrderId, std::size_t> index_;  // order -> its place in pending_
    std::vector<OrderChange> pending_;
    bool migrated_ = false;  // the schema is applied before the first write
    std::atomic<std::uint64_t> duplicates_{0};
};

}  // namespace xtrader
