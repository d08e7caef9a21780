// Commands: the only way to change engine state. The sequencer stamps each with a contiguous
// sequence number and a timestamp before the engine sees it; a placed order's id is the sequence
// number of its PlaceOrder, so replaying the same commands yields the same ids.
#pragma once

#include <variant>

#include "xtrader/core/types.hpp"

namespace xtrader {

struct PlaceOrder {
    AccountId account = 0;
    MarketId market = 0;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce tif = TimeInForce::GTC;  // a market order never rests: GTC behaves as IOC
    bool post_only = false;
    Price price = 0;  // limit price; 0 for a market or stop-market order
    Quantity quantity = 0;
    // Optional; a second order of the account with the same id is refused with
    // DuplicateClientOrderId naming the first (for as long as the engine remembers it).
    ClientOrderId client_order_id;
    Price stop_price = 0;  // stop orders only
    bool operator==(const PlaceOrder&) const = default;
};

struct CancelOrder {
    AccountId account = 0;
    OrderId order_id = 0;
    bool operator==(const CancelOrder&) const = default;
};

// Amends a resting order (not a stop order still waiting); 0 leaves a field unchanged. The order
// keeps its id and filled quantity. A smaller quantity (the order's new total, above what has
// filled) keeps its place in the queue. A new price or a larger quantity loses it: the order leaves
// its level, matches at the new price as a taker and rests what remains at the back of its level.
struct AmendOrder {
    AccountId account = 0;
    OrderId order_id = 0;
    Price new_price = 0;
    Quantity new_quantity = 0;
    bool operator==(const AmendOrder&) const = default;
};

// Cancels every open order of the account in one market, or in all of them with kAllMarkets,
// oldest first.
struct CancelAllOrders {
    AccountId account = 0;
    MarketId market = kAllMarkets;
    bool operator==(const CancelAllOrders&) const = default;
};

// Halts or resumes a market: a halted market refuses new orders and amendments (MarketHalted)
// and still accepts cancels.
struct SetMarketHalted {
    MarketId market = 0;
    bool halted = true;
    bool operator==(const SetMarketHalted&) const = default;
};

struct Deposit {
    AccountId account = 0;
    AssetId asset = 0;
    Amount amount = 0;
    bool operator==(const Deposit&) const = default;
};

struct Withdraw {
    AccountId account = 0;
    AssetId asset = 0;
    Amount amount = 0;
    bool operator==(const Withdraw&) const = default;
};

// The journal stores the alternative's index: new commands are added at the end.
using CommandBody = std::variant<PlaceOrder, CancelOrder, AmendOrder, Deposit, Withdraw,
                                 CancelAllOrders, SetMarketHalted>;

struct Command {
    Sequence sequence = 0;
    Timestamp timestamp = 0;
    CommandBody body;
    bool operator==(const Command&) const = default;
};

}  // namespace xtrader
