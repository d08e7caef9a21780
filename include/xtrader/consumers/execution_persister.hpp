// The persistence pipeline's consumers: read the Redis stream of executions in the consumer
// group, store each batch in PostgreSQL in one transaction, and acknowledge (XACK) only after
// the COMMIT. A consumer that dies leaves its entries pending; another claims them (XAUTOCLAIM)
// once they have been idle for claim_idle and stores them again, which the store's
// ON CONFLICT (exec_id) DO NOTHING makes harmless. So every execution lands exactly once.
//
// An entry that cannot be stored (it does not parse) or that has been delivered more than
// max_deliveries times (consumers keep dying on it) is moved to the dead-letter stream with
// the reason, logged, and acknowledged: it never blocks the others.
//
// Each consumer is a thread with its own Redis and PostgreSQL connections; xtraderd runs
// `consumers` of them, or one per process with --role persister --consumer-name NAME. A stopped
// broker or database only makes a consumer wait and retry (with `retry` between attempts).
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/bus/redis_connection.hpp"
#include "xtrader/core/market.hpp"

namespace xtrader {

struct PersisterOptions {
    RedisEndpoint redis;
    std::string postgres;  // libpq connection string
    std::string stream = "executions";
    std::string group = "execution_processors";
    std::string dead_letters = "executions.dlq";
    std::size_t batch = 100;                        // XREADGROUP COUNT
    std::chrono::milliseconds block{1000};          // XREADGROUP BLOCK
    std::chrono::milliseconds claim_idle{300'000};  // XAUTOCLAIM min-idle-time
    std::uint32_t max_deliveries = 5;
    std::chrono::milliseconds retry{1000};  // after a failed read, store or ack
};

class ExecutionPersister {
  public:
    // One consumer thread per name.
    ExecutionPersister(const MarketCatalog& catalog, PersisterOptions options,
                       std::vector<std::string> consumer_names);
    ~ExecutionPersister();
    ExecutionPersister(const ExecutionPersister&) = delete;
    ExecutionPersister& operator=(const ExecutionPersister&) = delete;

    void start();
    void stop();

    // Figures, from any thread.
    std::uint64_t stored() const noexcept { return stored_.load(std::memory_order_relaxed); }
    std::uint64_t acknowledged() const noexcept { return acked_.load(std::memory_order_relaxed); }
    std::uint64_t dead_lettered() const noexcept {
        return dead_lettered_.load(std::memory_order_relaxed);
    }
    std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }
    // True while every consumer's last attempt succeeded.
    bool healthy() const noexcept { return failing_.load(std::memory_order_relaxed) == 0; }
    std::size_t consumers() const noexcept { return names_.size(); }

  private:
    class Consumer;

    const MarketCatalog& catalog_;
    PersisterOptions options_;
    std::vector<std::string> names_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> stored_{0};
    std::atomic<std::uint64_t> acked_{0};
    std::atomic<std::uint64_t> dead_lettered_{0};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<int> failing_{0};
};

}  // namespace xtrader
