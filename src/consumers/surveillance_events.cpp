#include "xtrader/consumers/surveillance_events.hpp"

#include <limits>

namespace xtrader {

using surveillance::ExecutionEvent;
using surveillance::OrderEvent;
using surveillance::TouchEvent;

SurveillanceEvents::SurveillanceEvents(const MarketCatalog& catalog)
    : catalog_(catalog), books_(catalog.markets.size()), last_exec_(catalog.markets.size()) {}

std::optional<ExecutionEvent> SurveillanceEvents::execution(const ExecutionMessage& message) {
    const Trade& t = message.trade;
    if (t.market >= last_exec_.size() || t.exec_id <= last_exec_[t.market]) return std::nullopt;
    last_exec_[t.market] = t.exec_id;
    ExecutionEvent e;
    e.sequence = message.sequence;
    e.time = message.time_ms * kNanosPerMilli;
    e.market = t.market;
    e.exec_id = t.exec_id;
    e.price = t.price;
    e.quantity = t.quantity;
    // Within a market's limits the product fits (MarketCatalog::validate); a message beyond
    // them is held at the largest amount rather than wrapped.
    const Int128 notional =
        static_cast<Int128>(t.price) * t.quantity * catalog_.markets[t.market].quote_multiplier;
    e.notional = notional > std::numeric_limits<Amount>::max() ? std::numeric_limits<Amount>::max()
                                                               : static_cast<Amount>(notional);
    e.taker_side = t.taker_side;
    const bool taker_buys = t.taker_side == Side::Buy;
    e.buyer = taker_buys ? t.taker_account : t.maker_account;
    e.seller = taker_buys ? t.maker_account : t.taker_account;
    e.buy_order = taker_buys ? t.taker_order_id : t.maker_order_id;
    e.sell_order = taker_buys ? t.maker_order_id : t.taker_order_id;
    return e;
}

template <class Levels>
void SurveillanceEvents::apply(Levels& levels, BookSide& side, const BookLevelChanged& change) {
    const auto it = levels.find(change.price);
    if (it != levels.end()) {
        side.volume -= it->second.volume;
        side.orders -= it->second.orders;
    }
    if (change.volume == 0) {
        if (it != levels.end()) levels.erase(it);
        return;
    }
    levels[change.price] = {change.volume, change.order_count};
    side.volume += change.volume;
    side.orders += change.order_count;
}

std::optional<TouchEvent> SurveillanceEvents::touch(const BookDeltaMessage& message) {
    if (message.market >= books_.size()) return std::nullopt;
    Book& b = books_[message.market];
    if (message.sequence <= b.sequence) return std::nullopt;  // a replay
    b.sequence = message.sequence;
    for (const auto& c : message.changes) {
        if (c.side == Side::Buy) {
            apply(b.bids, b.bid_side, c);
        } else {
            apply(b.asks, b.ask_side, c);
        }
    }
    return TouchEvent{message.sequence,
                      message.time_ms * kNanosPerMilli,
                      message.market,
                      b.bids.empty() ? 0 : b.bids.begin()->first,
                      b.asks.empty() ? 0 : b.asks.begin()->first,
                      b.bid_side.average(),
                      b.ask_side.average()};
}

std::optional<OrderEvent> SurveillanceEvents::order(const OrderChange& message) {
    using surveillance::OrderChange;
    const OrderRecord& o = message.order;
    auto& last = last_change_[o.account];
    if (std::pair(o.sequence, message.change) <= last) return std::nullopt;  // a replay
    last = {o.sequence, message.change};
    const auto it = open_orders_.find(o.id);
    OrderChange change;
    if (o.status == OrderStatus::Rejected) {
        change = OrderChange::Rejected;
    } else if (it == open_orders_.end()) {
        // Every order's first change is its acceptance; an order first seen later in its life
        // (a member that started mid-stream) is taken by its state.
        change = o.status == OrderStatus::Pending     ? OrderChange::Placed
                 : o.status == OrderStatus::Cancelled ? OrderChange::Cancelled
                                                      : OrderChange::Filled;
    } else if (o.status == OrderStatus::Cancelled) {
        change = OrderChange::Cancelled;
    } else if (o.filled > it->second) {
        change = OrderChange::Filled;
    } else {
        change = OrderChange::Placed;  // moved to a new price: placed anew
    }
    if (o.open()) {
        open_orders_[o.id] = o.filled;
    } else if (it != open_orders_.end()) {
        open_orders_.erase(it);
    }
    return OrderEvent{o.sequence, o.updated, o.market,   o.account, o.id,
                      o.side,     o.price,   o.quantity, o.filled,  change};
}

}  // namespace xtrader
