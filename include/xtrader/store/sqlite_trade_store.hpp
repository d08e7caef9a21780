// The trade store in an SQLite file under the data directory (WAL journal, synchronous=FULL:
// a committed batch survives a machine crash, because journal segments are deleted once the
// store's position has passed them). Schema migrations are applied on open (PRAGMA user_version).
// One connection writes, another reads, each behind its own mutex: reads never wait for a write.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "xtrader/store/trade_store.hpp"

struct sqlite3;

namespace xtrader {

class SqliteTradeStore final : public TradeStore {
  public:
    explicit SqliteTradeStore(const std::filesystem::path& file);
    ~SqliteTradeStore() override;
    SqliteTradeStore(const SqliteTradeStore&) = delete;
    SqliteTradeStore& operator=(const SqliteTradeStore&) = delete;

    Sequence position() override;
    void write(const TradeBatch& batch) override;
    std::vector<ExecutionRecord> executions(const ExecutionQuery& query) override;
    std::vector<ExecutionRecord> trades_since(Timestamp from) override;
    std::optional<OrderRecord> order(OrderId id) override;
    std::optional<OrderRecord> order_by_client_id(AccountId account,
                                                  const ClientOrderId& client_order_id) override;
    std::vector<OrderRecord> closed_orders(AccountId account, std::optional<MarketId> market,
                                           std::size_t limit,
                                           std::optional<OrderId> before) override;
    std::vector<OrderRecord> open_orders() override;
    std::vector<OrderRecord> finished_orders(std::size_t limit) override;
    std::vector<OrderRecord> order_events(Sequence after, Sequence upto) override;
    // Read by scanning (no index on time): an operator's report, not a client's query.
    std::vector<DailyActivity> activity(Timestamp from, Timestamp to) override;

  private:
    std::vector<OrderRecord> select_orders(const std::string& where,
                                           std::optional<std::int64_t> parameter = {});

    sqlite3* writer_ = nullptr;
    sqlite3* reader_ = nullptr;
    std::mutex write_mutex_;
    std::mutex read_mutex_;
};

}  // namespace xtrader
