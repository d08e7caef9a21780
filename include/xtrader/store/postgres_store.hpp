// Executions, orders and surveillance alerts in PostgreSQL (libpqxx): the end of the
// persistence pipeline (executions), of the order-events topic (orders) and of the surveillance
// groups (alerts, regulatory reports) in full mode, and the history GET /v1/execution reads
// there. The schema is the versioned migrations under sql/, compiled in and applied by
// migrate() at start (each once, recorded in schema_migrations, under an advisory lock so that
// several persister processes starting together apply them once).
//
// Threads: insert() and executions() may run on different threads; each call takes the store's
// one connection under a mutex (history reads are not on the order path). A persister thread
// owns a store of its own. A lost connection is reopened on the next call.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "xtrader/core/market.hpp"
#include "xtrader/store/alert_store.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader {

class PostgresStore final : public ExecutionHistory, public OrderHistory, public AlertStore {
  public:
    // dsn: a libpq connection string, e.g. "host=127.0.0.1 port=5432 dbname=xtrader user=x".
    PostgresStore(const MarketCatalog& catalog, std::string dsn);
    ~PostgresStore() override;

    // Applies the migrations not yet applied; throws StoreError.
    static void migrate(const std::string& dsn);
    const std::string& dsn() const noexcept { return dsn_; }

    // One transaction: every row, an execution already stored left as it is. Returns how many
    // rows were new. Throws StoreError having committed nothing.
    std::size_t insert(std::span<const TradeRecord> trades);

    std::vector<ExecutionRecord> executions(const ExecutionQuery& query) override;
    // Up to `limit` of a market's trades after exec id `after`, in exec id order.
    std::vector<TradeRecord> trades(MarketId market, ExecId after, std::size_t limit);

    // One transaction: each order's row set to the change, unless the row already holds this
    // change or a later one (a replay). At most one change per order. Returns how many rows
    // changed. Throws StoreError having committed nothing.
    std::size_t upsert_orders(std::span<const OrderChange> changes);
    // The order's row, nullopt when there is none; created and updated in whole milliseconds.
    std::optional<OrderRecord> order(OrderId id) override;
    std::optional<OrderRecord> order_by_client_id(AccountId account,
                                                  const ClientOrderId& client_order_id) override;
    std::vector<OrderRecord> closed_orders(AccountId account, std::optional<MarketId> market,
                                           std::size_t limit,
                                           std::optional<OrderId> before) override;

    // The alerts' tables are made on first use (migrate()), by whichever process uses them
    // first: a surveillance member or the exchange's admin API.
    std::size_t add(std::span<const surveillance::Alert> alerts) override;
    std::vector<surveillance::Alert> alerts(const AlertQuery& query) override;

    struct Session;  // the libpqxx connection; opaque

  private:
    Session& session();
    void migrate_once();  // under mutex_

    const MarketCatalog& catalog_;
    std::string dsn_;
    std::mutex mutex_;
    std::unique_ptr<Session> session_;
    bool migrated_ = false;
};

}  // namespace xtrader
