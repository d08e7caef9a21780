#include "xtrader/api/order_view.hpp"

#include <algorithm>
#include <mutex>

namespace xtrader::api {

std::string_view to_string(OrderStatus status) noexcept {
    switch (status) {
        case OrderStatus::Pending: return "Pending";
        case OrderStatus::PartiallyFilled: return "PartiallyFilled";
        case OrderStatus::Filled: return "Filled";
        case OrderStatus::Cancelled: return "Cancelled";
        case OrderStatus::Rejected: return "Rejected";
    }
    return "Pending";
}

namespace {

void apply_fill(OrderRecord& record, Price price, Quantity quantity, Quantity remaining) {
    record.filled += quantity;
    record.price_volume += static_cast<Int128>(price) * quantity;
    record.status = remaining == 0 ? OrderStatus::Filled : OrderStatus::PartiallyFilled;
}

}  // namespace

std::optional<OrderRecord> placed_order(const CommandReply& reply) {
    const auto* place = reply.command != nullptr ? std::get_if<PlaceOrder>(reply.command) : nullptr;
    if (place == nullptr) return std::nullopt;
    OrderRecord record;
    record.id = reply.sequence;
    record.account = place->account;
    record.market = place->market;
    record.side = place->side;
    record.type = place->type;
    record.tif = place->tif;
    record.post_only = place->post_only;
    record.price = place->price;
    record.quantity = place->quantity;
    record.client_order_id = place->client_order_id;
    record.created = record.updated = reply.timestamp;
    record.sequence = reply.sequence;
    for (const auto& event : reply.events) {
        if (const auto* accepted = std::get_if<OrderAccepted>(&event)) {
            record.tif = accepted->tif;
        } else if (const auto* trade = std::get_if<Trade>(&event)) {
            if (trade->taker_order_id == record.id) {
                apply_fill(record, trade->price, trade->quantity, trade->taker_remaining);
            }
        } else if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
            if (cancelled->order_id == record.id) {
                record.status = OrderStatus::Cancelled;
                record.cancel_reason = cancelled->reason;
            }
        } else if (const auto* rejected = std::get_if<CommandRejected>(&event)) {
            // Refusals of the input itself, and duplicates, create no order.
            switch (rejected->reason) {
                case RejectReason::NoLiquidity:
                case RejectReason::PostOnlyWouldCross:
                case RejectReason::InsufficientBalance:
                    record.status = OrderStatus::Rejected;
                    record.reject_reason = rejected->reason;
                    break;
                default: return std::nullopt;
            }
        }
    }
    return record;
}

void OrderView::update(const OrderRecord& record) {
    const bool was_open = [&] {
        const auto it = orders_.find(record.id);
        return it != orders_.end() && it->second.open();
    }();
    orders_[record.id] = record;
    if (record.open()) {
        open_by_account_[record.account].insert(record.id);
        return;
    }
    if (was_open) open_by_account_[record.account].erase(record.id);
    finished_by_account_[record.account].push_back(record.id);
    finished_.push_back(record.id);
    while (finished_.size() > finished_retention_) {
        const OrderId oldest = finished_.front();
        finished_.pop_front();
        const auto it = orders_.find(oldest);
        if (it == orders_.end()) continue;
        auto& mine = finished_by_account_[it->second.account];
        if (!mine.empty() && mine.front() == oldest) mine.pop_front();
        orders_.erase(it);
    }
}

void OrderView::on_committed(const CommandReply& reply) {
    std::unique_lock lock(mutex_);
    if (auto placed = placed_order(reply)) update(*placed);
    for (const auto& event : reply.events) {
        // Changes to resting orders: the maker side of trades, cancels, moves.
        OrderId id = 0;
        if (const auto* trade = std::get_if<Trade>(&event)) {
            id = trade->maker_order_id;
        } else if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
            id = cancelled->order_id;
        } else if (const auto* moved = std::get_if<OrderMoved>(&event)) {
            id = moved->order_id;
        }
        if (id == 0 || id == reply.sequence) continue;
        const auto it = orders_.find(id);
        if (it == orders_.end()) continue;
        OrderRecord record = it->second;
        if (const auto* trade = std::get_if<Trade>(&event)) {
            apply_fill(record, trade->price, trade->quantity, trade->maker_remaining);
        } else if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
            record.status = OrderStatus::Cancelled;
            record.cancel_reason = cancelled->reason;
        } else if (const auto* moved = std::get_if<OrderMoved>(&event)) {
            record.price = moved->new_price;
        }
        record.updated = reply.timestamp;
        record.sequence = reply.sequence;
        update(record);
    }
    // A move's own fills: the mover is the taker of its trades.
    if (const auto* move = std::get_if<MoveOrder>(reply.command)) {
        const auto it = orders_.find(move->order_id);
        if (it == orders_.end()) return;
        OrderRecord record = it->second;
        bool changed = false;
        for (const auto& event : reply.events) {
            const auto* trade = std::get_if<Trade>(&event);
            if (trade == nullptr || trade->taker_order_id != move->order_id) continue;
            apply_fill(record, trade->price, trade->quantity, trade->taker_remaining);
            changed = true;
        }
        if (changed) update(record);
    }
}

std::optional<OrderRecord> OrderView::find(OrderId id) const {
    std::shared_lock lock(mutex_);
    const auto it = orders_.find(id);
    if (it == orders_.end()) return std::nullopt;
    return it->second;
}

std::vector<OrderRecord> OrderView::open_orders(AccountId account,
                                                std::optional<MarketId> market) const {
    std::vector<OrderRecord> out;
    std::shared_lock lock(mutex_);
    const auto it = open_by_account_.find(account);
    if (it == open_by_account_.end()) return out;
    for (OrderId id : it->second) {
        const auto& record = orders_.at(id);
        if (!market || record.market == *market) out.push_back(record);
    }
    lock.unlock();
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    return out;
}

std::vector<OrderRecord> OrderView::finished_orders(AccountId account,
                                                    std::optional<MarketId> market,
                                                    std::size_t limit) const {
    std::vector<OrderRecord> out;
    std::shared_lock lock(mutex_);
    const auto it = finished_by_account_.find(account);
    if (it == finished_by_account_.end()) return out;
    for (auto id = it->second.rbegin(); id != it->second.rend() && out.size() < limit; ++id) {
        const auto found = orders_.find(*id);
        if (found == orders_.end()) continue;
        if (!market || found->second.market == *market) out.push_back(found->second);
    }
    return out;
}

}  // namespace xtrader::api
