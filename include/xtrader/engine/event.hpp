// What the engine reports. Every command produces its events in a fixed, documented order
// (docs/ENGINE.md), delivered to one EventHandler after the command has been applied in full.
#pragma once

#include <cstdint>
#include <string_view>
#include <variant>

#include "xtrader/core/types.hpp"

namespace xtrader {

// Why a command changed nothing. The API maps InsufficientBalance to 402, the order lookups to
// 404 / 403 / 409 and the rest to 400.
enum class RejectReason : std::uint8_t {
    None = 0,
    UnknownMarket,
    InvalidAccount,   // the fee account, or an id beyond the configured account limit
    InvalidQuantity,  // zero or negative
    LotSize,          // not a multiple of the lot size
    QuantityBelowMinimum,
    QuantityAboveMaximum,
    InvalidPrice,  // a limit price <= 0, or a price on a market order
    TickSize,      // not a multiple of the tick size
    PriceAboveMaximum,
    InvalidOrderType,  // post-only on anything but a GTC limit order
    InsufficientBalance,
    NoLiquidity,  // a market order facing an empty book
    PostOnlyWouldCross,
    UnknownOrder,   // never seen, or finished longer ago than the engine remembers
    NotOwner,       // the order belongs to another account
    OrderClosed,    // the order is already filled or cancelled
    InvalidAmount,  // a deposit or withdrawal of zero or less
    UnknownAsset,
    BalanceOverflow,         // a deposit that would take an asset's total beyond int64
    DuplicateOrderId,        // a PlaceOrder whose sequence number already names an order
    DuplicateClientOrderId,  // the account's client_order_id is taken; order_id names its order
    MarketHalted,            // a new order or an amendment in a halted market
    PriceOutOfBand,          // a limit price further from the last trade than the market's band
    InvalidStopPrice,        // a stop order's stop price <= 0, off the tick or above the maximum,
                             // or a stop price on another order
};

enum class CancelReason : std::uint8_t {
    Requested = 0,        // a cancel command
    Unfilled,             // the remainder of an IOC, FOK or market order
    SelfTrade,            // a resting order that met an order of its own account
    InsufficientBalance,  // a market buy whose account could pay no further
};

std::string_view to_string(RejectReason reason) noexcept;
std::string_view to_string(CancelReason reason) noexcept;

struct OrderAccepted {
    OrderId order_id;
    AccountId account;
    MarketId market;
    Side side;
    OrderType type;
    TimeInForce tif;
    bool post_only;
    Price price;
    Quantity quantity;
    bool operator==(const OrderAccepted&) const = default;
};

struct Trade {
    ExecId exec_id;
    MarketId market;
    Price price;
    Quantity quantity;
    OrderId taker_order_id;
    OrderId maker_order_id;
    AccountId taker_account;
    AccountId maker_account;
    Side taker_side;   // the maker's side is the opposite one
    Amount taker_fee;  // in the quote asset
    Amount maker_fee;
    Quantity taker_remaining;  // after this trade
    Quantity maker_remaining;
    bool operator==(const Trade&) const = default;
};

struct OrderCancelled {
    OrderId order_id;
    AccountId account;
    MarketId market;
    Quantity remaining;  // the quantity that will never fill
    CancelReason reason;
    bool operator==(const OrderCancelled&) const = default;
};

struct OrderMoved {
    OrderId order_id;
    AccountId account;
    MarketId market;
    Price old_price;
    Price new_price;
    Quantity remaining;
    bool operator==(const OrderMoved&) const = default;
};

// An amendment's new quantity (the order's total); follows OrderMoved's place: before it when
// both change.
struct OrderResized {
    OrderId order_id;
    AccountId account;
    MarketId market;
    Quantity old_quantity;
    Quantity new_quantity;
    Quantity remaining;
    bool operator==(const OrderResized&) const = default;
};

// A stop order met its stop price: it is now a limit or market order taking from the book.
// Before its trades; `price` is the last trade price that triggered it.
struct StopTriggered {
    OrderId order_id;
    AccountId account;
    MarketId market;
    Price stop_price;
    Price price;
    bool operator==(const StopTriggered&) const = default;
};

struct MarketHaltChanged {
    MarketId market;
    bool halted;
    bool operator==(const MarketHaltChanged&) const = default;
};

struct CommandRejected {
    // The id a new order would have had, the target of a cancel / move, or for
    // DuplicateClientOrderId the order that already has the client id.
    OrderId order_id;
    AccountId account;
    RejectReason reason;
    bool operator==(const CommandRejected&) const = default;
};

// A price level after a change; volume 0 means the level is gone.
struct BookLevelChanged {
    MarketId market;
    Side side;
    Price price;
    Quantity volume;
    std::uint32_t order_count;
    bool operator==(const BookLevelChanged&) const = default;
};

// The version of a market's book after a command changed it: a per-market count of the commands
// that changed its levels, from 1, kept in snapshots. One per command and book it changed, after
// all of the command's BookLevelChanged events, in the order the books first changed; a reader that
// sees version v after v - 2 has missed one.
struct BookVersion {
    MarketId market;
    std::uint64_t version;
    bool operator==(const BookVersion&) const = default;
};

struct FundsDeposited {
    AccountId account;
    AssetId asset;
    Amount amount;
    bool operator==(const FundsDeposited&) const = default;
};

struct FundsWithdrawn {
    AccountId account;
    AssetId asset;
    Amount amount;
    bool operator==(const FundsWithdrawn&) const = default;
};

// The journal stores the alternative's index: new events are added at the end.
using Event = std::variant<OrderAccepted, Trade, OrderCancelled, OrderMoved, CommandRejected,
                           BookLevelChanged, FundsDeposited, FundsWithdrawn, BookVersion,
                           OrderResized, MarketHaltChanged, StopTriggered>;

// Receives the events of each command once the command has been applied. Called on the thread
// that called MatchingEngine::apply; must not call back into the engine.
class EventHandler {
  public:
    virtual ~EventHandler() = default;
    virtual void on_event(const Event& event) = 0;
};

}  // namespace xtrader
