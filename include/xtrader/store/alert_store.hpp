// Where surveillance alerts are kept: PostgreSQL's `alerts` and `regulatory_reports` in full
// mode (PostgresStore), a SQLite file of the exchange's data directory in embedded mode
// (SqliteAlertStore). An alert is stored once: its id derives from the events that raised it,
// so a replay brings the same id again and the second insert does nothing. A large trade's
// alert also writes its regulatory report row (exec id, symbol, both accounts, price,
// quantity, notional, time), in the same transaction.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

#include "xtrader/store/trade_store.hpp"
#include "xtrader/surveillance/detector.hpp"

namespace xtrader {

// GET /v1/admin/alerts: every filter optional, newest first.
struct AlertQuery {
    std::optional<surveillance::AlertKind> kind;
    std::optional<MarketId> market;
    std::optional<AccountId> account;
    Timestamp since = 0;  // alerts at or after this time
    std::size_t limit = 100;
};

class AlertStore {
  public:
    virtual ~AlertStore() = default;
    // One transaction: the alerts not stored yet, with their reports. Returns how many were
    // new. Throws StoreError having stored nothing.
    virtual std::size_t add(std::span<const surveillance::Alert> alerts) = 0;
    // Alert times are whole milliseconds once stored.
    virtual std::vector<surveillance::Alert> alerts(const AlertQuery& query) = 0;
};

}  // namespace xtrader
