#include "xtrader/consumers/order_projection.hpp"

#include <algorithm>

namespace xtrader {

namespace {

void fill(OrderRecord& o, Price price, Quantity quantity, Quantity remaining) {
    o.filled += quantity;
    o.price_volume += price * quantity;
    o.status = remaining == 0 ? OrderStatus::Filled : OrderStatus::PartiallyFilled;
}

}  // namespace

std::optional<OrderRecord> placed_order(Sequence sequence, Timestamp timestamp,
                                        const PlaceOrder& place, std::span<const Event> events) {
    OrderRecord o;
    o.id = sequence;
    o.account = place.account;
    o.market = place.market;
    o.side = place.side;
    o.type = place.type;
    o.tif = place.tif;
    o.post_only = place.post_only;
    o.price = place.price;
    o.stop_price = place.stop_price;
    o.quantity = place.quantity;
    if (is_stop(place.type)) o.status = OrderStatus::Untriggered;
    o.client_order_id = place.client_order_id;
    o.created = o.updated = timestamp;
    o.sequence = sequence;
    for (const auto& event : events) {
        if (const auto* accepted = std::get_if<OrderAccepted>(&event)) {
            o.tif = accepted->tif;
        } else if (const auto* triggered = std::get_if<StopTriggered>(&event)) {
            if (triggered->order_id == o.id) o.status = OrderStatus::Pending;
        } else if (const auto* trade = std::get_if<Trade>(&event)) {
            if (trade->taker_order_id == o.id) {
                fill(o, trade->price, trade->quantity, trade->taker_remaining);
            } else if (trade->maker_order_id == o.id) {
                // Resting already: a stop order its own trades triggered took from it.
                fill(o, trade->price, trade->quantity, trade->maker_remaining);
            }
        } else if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
            if (cancelled->order_id == o.id) {
                o.status = OrderStatus::Cancelled;
                o.reason = to_string(cancelled->reason);
            }
        } else if (const auto* rejected = std::get_if<CommandRejected>(&event)) {
            // Engine outcomes are orders with status Rejected; refusals of the input and
            // duplicates create no order.
            switch (rejected->reason) {
                case RejectReason::NoLiquidity:
                case RejectReason::PostOnlyWouldCross:
                    o.status = OrderStatus::Rejected;
                    o.reason = to_string(rejected->reason);
                    break;
                default: return std::nullopt;
            }
        }
    }
    return o;
}

std::pair<ExecutionRecord, ExecutionRecord> execution_rows(const Trade& t, Timestamp time,
                                                           Sequence sequence) {
    const ExecutionRecord taker{t.exec_id,  t.taker_account, t.taker_order_id,
                                t.market,   t.taker_side,    t.price,
                                t.quantity, t.taker_fee,     false,
                                time,       sequence};
    const ExecutionRecord maker{
        t.exec_id, t.maker_account, t.maker_order_id, t.market, opposite(t.taker_side),
        t.price,   t.quantity,      t.maker_fee,      true,     time,
        sequence};
    return {taker, maker};
}

void project(Sequence sequence, Timestamp timestamp, const CommandBody& command,
             std::span<const Event> events, const std::function<const OrderRecord*(OrderId)>& find,
             const std::function<void(const OrderRecord&)>& changed) {
    if (const auto* place = std::get_if<PlaceOrder>(&command)) {
        if (auto placed = placed_order(sequence, timestamp, *place, events)) changed(*placed);
    }
    // Orders that take from the book in this command besides a new one: an amended order, and
    // stop orders as they trigger (a command triggers few).
    std::vector<OrderId> takers;
    if (const auto* amend = std::get_if<AmendOrder>(&command)) takers.push_back(amend->order_id);
    const auto update = [&](OrderId id, const auto& change) {
        if (id == sequence) return;  // a new order's own events are in placed_order
        const OrderRecord* current = find(id);
        if (current == nullptr) return;
        OrderRecord o = *current;
        change(o);
        o.updated = timestamp;
        o.sequence = sequence;
        changed(o);
    };
    for (const auto& event : events) {
        if (const auto* trade = std::get_if<Trade>(&event)) {
            update(trade->maker_order_id, [&](OrderRecord& o) {
                fill(o, trade->price, trade->quantity, trade->maker_remaining);
            });
            if (std::find(takers.begin(), takers.end(), trade->taker_order_id) != takers.end()) {
                update(trade->taker_order_id, [&](OrderRecord& o) {
                    fill(o, trade->price, trade->quantity, trade->taker_remaining);
                });
            }
        } else if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
            update(cancelled->order_id, [&](OrderRecord& o) {
                o.status = OrderStatus::Cancelled;
                o.reason = to_string(cancelled->reason);
            });
        } else if (const auto* moved = std::get_if<OrderMoved>(&event)) {
            update(moved->order_id, [&](OrderRecord& o) { o.price = moved->new_price; });
        } else if (const auto* triggered = std::get_if<StopTriggered>(&event)) {
            takers.push_back(triggered->order_id);
            update(triggered->order_id, [](OrderRecord& o) { o.status = OrderStatus::Pending; });
        } else if (const auto* resized = std::get_if<OrderResized>(&event)) {
            update(resized->order_id, [&](OrderRecord& o) { o.quantity = resized->new_quantity; });
        }
    }
}

}  // namespace xtrader
