// Identifiers and the small vocabulary types shared by every module.
//
// Prices, quantities and amounts are 64-bit fixed-point integers: a price counts units of
// 10^-price_scale quote, a quantity 10^-qty_scale base, an amount 10^-scale of its asset (see
// market.hpp). Nothing in matching or balances uses floating point.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace xtrader {

// 128-bit intermediates for products of prices and quantities, checked before narrowing.
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

using Price = std::int64_t;     // in price units of a market
using Quantity = std::int64_t;  // in quantity units of a market
using Amount = std::int64_t;    // in units of an asset

using OrderId = std::uint64_t;  // the sequence number of the command that placed the order
using ExecId = std::uint64_t;   // dense, assigned by the engine in execution order
using AccountId = std::uint32_t;
using AssetId = std::uint32_t;
using MarketId = std::uint32_t;
using Sequence = std::uint64_t;  // journal / command sequence number, contiguous from 1
using Timestamp = std::int64_t;  // nanoseconds since the Unix epoch, UTC
// The wire speaks milliseconds (API.md); inside, time is nanoseconds.
inline constexpr Timestamp kNanosPerMilli = 1'000'000;
constexpr std::int64_t to_millis(Timestamp nanos) noexcept {
    return nanos / kNanosPerMilli;
}

// "Every market" where a command may name one market or all.
inline constexpr MarketId kAllMarkets = ~MarketId{0};

// Account 0 receives every fee; it cannot trade.
inline constexpr AccountId kFeeAccount = 0;

enum class Side : std::uint8_t { Buy = 0, Sell = 1 };
// A stop order waits, off the book, until a trade at or through its stop price (at or above it
// for a buy, at or below for a sell); then it is a limit or a market order.
enum class OrderType : std::uint8_t { Limit = 0, Market = 1, StopLimit = 2, StopMarket = 3 };

constexpr bool is_stop(OrderType type) noexcept {
    return type == OrderType::StopLimit || type == OrderType::StopMarket;
}
// Whether the order has a limit price (once triggered, for a stop order).
constexpr bool has_limit_price(OrderType type) noexcept {
    return type == OrderType::Limit || type == OrderType::StopLimit;
}
enum class TimeInForce : std::uint8_t { GTC = 0, IOC = 1, FOK = 2 };

constexpr Side opposite(Side side) noexcept {
    return side == Side::Buy ? Side::Sell : Side::Buy;
}

// A client's own id for an order, unique per account: 1 to 36 characters of [A-Za-z0-9._:-]
// (a UUID fits). Stored inline so that commands stay trivially copyable and journal records
// fixed-size; unused bytes are always zero.
class ClientOrderId {
  public:
    static constexpr std::size_t kMaxSize = 36;

    constexpr ClientOrderId() = default;
    // nullopt when the text is empty, too long or has another character.
    static std::optional<ClientOrderId> parse(std::string_view text) noexcept;

    // What parse() makes: the size within bounds, allowed characters, zeros after them. Bytes
    // read back from a file are checked with it before view() may be called.
    bool well_formed() const noexcept;

    std::string_view view() const noexcept { return {chars_.data(), size_}; }
    bool empty() const noexcept { return size_ == 0; }
    bool operator==(const ClientOrderId&) const = default;

  private:
    std::array<char, kMaxSize> chars_{};
    std::uint8_t size_ = 0;
};

std::string_view to_string(Side side) noexcept;
std::string_view to_string(OrderType type) noexcept;
std::string_view to_string(TimeInForce tif) noexcept;
// The value whose to_string() is `text`; nullopt for any other text.
std::optional<Side> parse_side(std::string_view text) noexcept;
std::optional<OrderType> parse_order_type(std::string_view text) noexcept;
std::optional<TimeInForce> parse_time_in_force(std::string_view text) noexcept;

}  // namespace xtrader
