// Market surveillance: what the detectors read, what they raise, and the one interface they
// share. Detectors are pure: events in, alerts out; no I/O, no clock (time comes from the
// events: the time of the command that made each, or of the poll that read another venue), no
// threads, no JSON. The consumers that feed them (the Kafka groups regulatory, analytics and
// exchange-sync, or the journal follower of embedded mode)
// and the places alerts go (a topic, PostgreSQL, the admin API) are elsewhere.
//
// An alert's id derives from the events that triggered it (their exec ids, order ids), so the
// same events replayed after a crash raise the same ids and a store keeps each alert once.
//
// Threads: a detector belongs to one thread. Complexity: each handler is O(log n) or amortised
// O(1) in the state it keeps, which is bounded by its time windows.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "xtrader/core/types.hpp"

namespace xtrader::surveillance {

// One execution, both sides by account; notional in the quote asset's units.
struct ExecutionEvent {
    Sequence sequence = 0;
    Timestamp time = 0;
    MarketId market = 0;
    ExecId exec_id = 0;
    Price price = 0;
    Quantity quantity = 0;
    Amount notional = 0;
    Side taker_side = Side::Buy;
    AccountId buyer = 0;
    AccountId seller = 0;
    OrderId buy_order = 0;
    OrderId sell_order = 0;
};

// What one change of an order was.
enum class OrderChange : std::uint8_t {
    Placed,     // accepted (a limit order that rests, or one that traded at once)
    Filled,     // filled in part or in full by an execution
    Cancelled,  // cancelled by its account, or the rest of an IOC
    Rejected,
};

// One change of an order, with the order's state after it.
struct OrderEvent {
    Sequence sequence = 0;
    Timestamp time = 0;
    MarketId market = 0;
    AccountId account = 0;
    OrderId order = 0;
    Side side = Side::Buy;
    Price price = 0;  // 0: a market order
    Quantity quantity = 0;
    Quantity filled = 0;
    OrderChange change = OrderChange::Placed;
};

// A market's book after a change: the best prices and the average resting order of each side
// (0: that side is empty).
struct TouchEvent {
    Sequence sequence = 0;
    Timestamp time = 0;
    MarketId market = 0;
    Price best_bid = 0;
    Price best_ask = 0;
    Quantity bid_average = 0;
    Quantity ask_average = 0;
};

// Another venue's prices for one of our markets, as its public ticker showed them at `time` (0:
// not given; Upbit's ticker has the last price, Binance's book ticker the best bid and ask).
struct ReferencePrice {
    Timestamp time = 0;
    std::uint32_t venue = 0;  // index into the configured venues
    MarketId market = 0;
    Price last = 0;
    Price bid = 0;
    Price ask = 0;
};

enum class AlertKind : std::uint8_t {
    LargeTrade,  // regulatory: one execution at or above the market's notional threshold
    Whale,       // analytics: an account's rolling 24 h share of a market's notional
    WhaleOrder,  // analytics: one order many times the market's median order quantity
    WashTrade,   // analytics: both sides of an execution belong to one owner
    WashRing,    // analytics: two accounts trading back and forth, their positions unchanged
    Spoofing,    // analytics: large orders near the touch cancelled fast, trades on the other side
    PriceDeviation,  // exchange-sync: our price away from another venue's for a while
    Arbitrage,       // exchange-sync: our book crosses another venue's by more than the fees
};
std::string_view to_string(AlertKind kind) noexcept;
std::optional<AlertKind> parse_alert_kind(std::string_view text) noexcept;

enum class Severity : std::uint8_t { Info, Warning, Critical };
std::string_view to_string(Severity severity) noexcept;
std::optional<Severity> parse_severity(std::string_view text) noexcept;

struct Alert {
    std::string id;  // kind and the triggering events: stable across replays
    AlertKind kind = AlertKind::LargeTrade;
    Severity severity = Severity::Warning;
    MarketId market = 0;
    Timestamp time = 0;     // of the event that raised it
    Sequence sequence = 0;  // of that event
    std::vector<AccountId> accounts;
    std::vector<ExecId> executions;  // the evidence
    std::vector<OrderId> orders;
    std::string summary;  // one sentence for a person, with the figures that crossed
    // The one execution an alert on a single execution is about (large and wash trades): what
    // a large-trade report row holds.
    std::optional<ExecutionEvent> execution;
};

// The one interface of every detector; a handler appends what it raises to `alerts`.
class Detector {
  public:
    virtual ~Detector() = default;
    virtual void on_execution(const ExecutionEvent& /*event*/, std::vector<Alert>& /*alerts*/) {}
    virtual void on_order(const OrderEvent& /*event*/, std::vector<Alert>& /*alerts*/) {}
    virtual void on_touch(const TouchEvent& /*event*/, std::vector<Alert>& /*alerts*/) {}
    virtual void on_reference(const ReferencePrice& /*price*/, std::vector<Alert>& /*alerts*/) {}
};

}  // namespace xtrader::surveillance
