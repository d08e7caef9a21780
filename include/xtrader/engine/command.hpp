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
    Price price = 0;  // limit price; 0 for a market order
    Quantity quantity = 0;
    // Optional; a second order of the account with the same id is refused with
    // DuplicateClientOrderId naming the first (for as long as the engine remembers it).
    ClientOrderId client_order_id;
    bool operator==(const PlaceOrder&) const = default;
};

struct CancelOrder {
    AccountId account = 0;
    OrderId order_id = 0;
    bool operator==(const CancelOrder&) const = default;
};

// Cancel-replace: the order leaves its level, takes the new price, matches there as a taker
// and rests what remains at the back of its new level. It keeps its id and filled quantity.
struct MoveOrder {
    AccountId account = 0;
    OrderId order_id = 0;
    Price new_price = 0;
    bool operator==(const MoveOrder&) const = default;
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

using CommandBody = std::variant<PlaceOrder, CancelOrder, MoveOrder, Deposit, Withdraw>;

struct Command {
    Sequence sequence = 0;
    Timestamp timestamp = 0;
    CommandBody body;
    bool operator==(const Command&) const = default;
};

}  // namespace xtrader
