// Where executions and order states are kept for history queries (GET /v1/execution, old
// orders), written in batches by a journal follower. A batch and the journal position it brings
// the store to are one transaction, so after a crash the writer resumes exactly where the store
// stopped: every execution is stored once.
//
// Implementation: SqliteTradeStore, the daemon's local store in both modes (in full mode the
// persistence pipeline also fills PostgreSQL). Writes come from one thread; reads from any.
#pragma once

#include <optional>
#include <stdexcept>
#include <vector>

#include "xtrader/store/records.hpp"

namespace xtrader {

// A store could not read or write; nothing of the failed write was kept.
class StoreError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct TradeBatch {
    std::vector<ExecutionRecord> executions;
    std::vector<OrderRecord> orders;  // the latest state of each order the batch changed
    Sequence position = 0;            // the last journal record the batch covers
    // The outbox of the order-events topic (a transactional outbox: the events and the orders
    // they lead to are one write): every change of every order, in order, when it is kept.
    std::vector<OrderRecord> order_events;
    // Outbox events up to this sequence are published and may go; 0: none.
    Sequence published_order_events = 0;
};

// Where a newest-first listing of executions stopped: the next page starts strictly after this
// row, in the listing's order of (time, id). Time in nanoseconds; a store compares it at the
// precision it keeps (milliseconds in PostgreSQL).
struct ListPosition {
    Timestamp time = 0;
    std::uint64_t id = 0;
};

struct ExecutionQuery {
    AccountId account = 0;
    std::optional<MarketId> market;
    std::optional<OrderId> order_id;
    std::optional<Timestamp> from;  // inclusive
    std::optional<Timestamp> to;    // exclusive
    std::size_t limit = 100;
    std::optional<ListPosition> after;  // the previous page's last execution
};

// One account's activity in one market over a period: the daily report's row.
struct DailyActivity {
    AccountId account = 0;
    MarketId market = 0;
    std::uint64_t trades = 0;  // executions it took part in, as taker or maker
    Quantity volume = 0;
    Amount notional = 0;  // quote asset units
    Amount fees = 0;      // paid, quote asset units
    std::uint64_t orders_placed = 0;
    std::uint64_t orders_cancelled = 0;
    bool operator==(const DailyActivity&) const = default;
};

// Where GET /v1/execution reads an account's history: the trade store in embedded mode,
// PostgreSQL in full mode. Called from any thread.
class ExecutionHistory {
  public:
    virtual ~ExecutionHistory() = default;
    // Newest first.
    virtual std::vector<ExecutionRecord> executions(const ExecutionQuery& query) = 0;
};

// Where GET /v1/order/{id} and GET /v1/orders read orders that have left the API's view
// (finished ones): the trade store in embedded mode, PostgreSQL's orders in full mode. Called
// from any thread.
class OrderHistory {
  public:
    virtual ~OrderHistory() = default;
    virtual std::optional<OrderRecord> order(OrderId id) = 0;
    // The account's most recent order with that client_order_id (an id may be used again once
    // its order is finished), nullopt when there is none.
    virtual std::optional<OrderRecord> order_by_client_id(AccountId account,
                                                          const ClientOrderId& client_order_id) = 0;
    // Up to `limit` of the account's finished orders (in one market, or all), newest first (by
    // id), those below `before` when given.
    virtual std::vector<OrderRecord> closed_orders(AccountId account,
                                                   std::optional<MarketId> market,
                                                   std::size_t limit,
                                                   std::optional<OrderId> before) = 0;
};

class TradeStore : public ExecutionHistory, public OrderHistory {
  public:
    // The last journal sequence the store holds; 0 when empty.
    virtual Sequence position() = 0;
    // Atomically: the rows (executions are kept once per exec id and side) and the position.
    // Throws on failure, having written nothing.
    virtual void write(const TradeBatch& batch) = 0;

    // Every trade (its taker row) at or after `from`, oldest first: market-data rebuilds.
    virtual std::vector<ExecutionRecord> trades_since(Timestamp from) = 0;
    virtual std::vector<OrderRecord> open_orders() = 0;
    // Finished orders, the most recently placed first.
    virtual std::vector<OrderRecord> finished_orders(std::size_t limit) = 0;
    // The outbox's order changes of the sequences in (after, upto], in the order they happened.
    virtual std::vector<OrderRecord> order_events(Sequence after, Sequence upto) = 0;
    // Every account's activity per market within [from, to): the executions made then, the
    // orders placed then (refusals aside) and those cancelled then; by account, then market.
    virtual std::vector<DailyActivity> activity(Timestamp from, Timestamp to) = 0;
};

}  // namespace xtrader
