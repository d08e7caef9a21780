// What the stores keep: orders as a client sees them, and executions one row per side.
// Plain data in core types only (the store module depends on nothing else).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "xtrader/core/types.hpp"

namespace xtrader {

// Stored by value (SQLite): new statuses are added at the end. Untriggered: a stop order waiting
// for its stop price.
enum class OrderStatus : std::uint8_t {
    Pending,
    PartiallyFilled,
    Filled,
    Cancelled,
    Rejected,
    Untriggered
};
std::string_view to_string(OrderStatus status) noexcept;
std::optional<OrderStatus> parse_order_status(std::string_view text) noexcept;

struct OrderRecord {
    OrderId id = 0;
    AccountId account = 0;
    MarketId market = 0;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce tif = TimeInForce::GTC;
    bool post_only = false;
    Price price = 0;
    Price stop_price = 0;  // stop orders only
    Quantity quantity = 0;
    Quantity filled = 0;
    std::int64_t price_volume =
        0;  // sum of price * quantity over fills (fits: max_price x quantity)
    OrderStatus status = OrderStatus::Pending;
    std::string reason;  // why Rejected or Cancelled, snake_case; empty otherwise
    ClientOrderId client_order_id;
    Timestamp created = 0;
    Timestamp updated = 0;
    Sequence sequence = 0;  // of the last change

    Quantity remaining() const noexcept { return open() ? quantity - filled : 0; }
    bool open() const noexcept {
        return status == OrderStatus::Pending || status == OrderStatus::PartiallyFilled ||
               status == OrderStatus::Untriggered;
    }
    Price average_price() const noexcept { return filled == 0 ? 0 : price_volume / filled; }
    bool operator==(const OrderRecord&) const = default;
};

// One change of an order (the order-events topic): the order's state after it, and its place
// among the changes one command made to orders, from 0; (order.sequence, change) orders an
// order's changes.
struct OrderChange {
    OrderRecord order;
    std::uint32_t change = 0;
    bool operator==(const OrderChange&) const = default;
};

// One side of a trade, as its account sees it.
struct ExecutionRecord {
    ExecId exec_id = 0;
    AccountId account = 0;
    OrderId order_id = 0;
    MarketId market = 0;
    Side side = Side::Buy;
    Price price = 0;
    Quantity quantity = 0;
    Amount fee = 0;  // in the market's quote asset
    bool is_maker = false;
    Timestamp time = 0;
    Sequence sequence = 0;
    bool operator==(const ExecutionRecord&) const = default;
};

// A whole trade, both sides in one row: what the persistence pipeline stores in PostgreSQL.
struct TradeRecord {
    ExecId exec_id = 0;
    Sequence sequence = 0;
    Timestamp time_ms = 0;  // milliseconds since the Unix epoch
    MarketId market = 0;
    Price price = 0;
    Quantity quantity = 0;
    Side taker_side = Side::Buy;
    OrderId taker_order_id = 0;
    OrderId maker_order_id = 0;
    AccountId taker_account = 0;
    AccountId maker_account = 0;
    Amount taker_fee = 0;  // in the market's quote asset
    Amount maker_fee = 0;
    Quantity taker_remaining = 0;  // after this trade
    Quantity maker_remaining = 0;
    bool operator==(const TradeRecord&) const = default;
};

}  // namespace xtrader
