#include "xtrader/engine/order_book.hpp"

#include <algorithm>

namespace xtrader {

std::vector<PriceLevel*>::iterator OrderBook::find_position(Side side, Price price) noexcept {
    auto& levels = side_levels(side);
    // Sorted worst first: for bids "worse" is a lower price, for asks a higher one.
    if (side == Side::Buy) {
        return std::lower_bound(levels.begin(), levels.end(), price,
                                [](const PriceLevel* l, Price p) { return l->price < p; });
    }
    return std::lower_bound(levels.begin(), levels.end(), price,
                            [](const PriceLevel* l, Price p) { return l->price > p; });
}

void OrderBook::append(Order* order) {
    auto& levels = side_levels(order->side);
    auto it = find_position(order->side, order->price);
    PriceLevel* level;
    if (it != levels.end() && (*it)->price == order->price) {
        level = *it;
    } else {
        level = level_pool_.acquire();
        level->price = order->price;
        level->side = order->side;
        levels.insert(it, level);
    }
    order->level = level;
    order->next = nullptr;
    order->prev = level->tail;
    if (level->tail != nullptr) {
        level->tail->next = order;
    } else {
        level->head = order;
    }
    level->tail = order;
    level->volume += order->remaining();
    ++level->order_count;
}

void OrderBook::unlink(Order* order) noexcept {
    PriceLevel* level = order->level;
    (order->prev != nullptr ? order->prev->next : level->head) = order->next;
    (order->next != nullptr ? order->next->prev : level->tail) = order->prev;
    level->volume -= order->remaining();
    --level->order_count;
    order->prev = order->next = nullptr;
    order->level = nullptr;
}

void OrderBook::drop_if_empty(PriceLevel* level) {
    if (level->order_count != 0) return;
    auto& levels = side_levels(level->side);
    // The emptied level is nearly always the best one.
    if (levels.back() == level) {
        levels.pop_back();
    } else {
        levels.erase(find_position(level->side, level->price));
    }
    level_pool_.release(level);
}

std::vector<DepthLevel> OrderBook::depth(Side side, std::size_t max_levels) const {
    std::vector<DepthLevel> out;
    for_each_level(side, [&](const PriceLevel& level) {
        if (out.size() >= max_levels) return false;
        out.push_back({level.price, level.volume, level.order_count});
        return true;
    });
    return out;
}

namespace {

// Whether a triggers after b (sits nearer the front).
bool triggers_after(const Order* a, const Order* b) noexcept {
    if (a->stop_price != b->stop_price) {
        return a->side == Side::Buy ? a->stop_price > b->stop_price : a->stop_price < b->stop_price;
    }
    return a->id > b->id;
}

}  // namespace

void StopBook::insert(Order* order) {
    auto& orders = order->side == Side::Buy ? buys_ : sells_;
    orders.insert(std::upper_bound(orders.begin(), orders.end(), order, triggers_after), order);
}

void StopBook::erase(const Order* order) noexcept {
    auto& orders = order->side == Side::Buy ? buys_ : sells_;
    const auto it = std::lower_bound(orders.begin(), orders.end(), order, triggers_after);
    if (it != orders.end() && *it == order) orders.erase(it);
}

Order* StopBook::next(Price last) const noexcept {
    const auto reached = [last](const std::vector<Order*>& orders) {
        return !orders.empty() && stop_reached(orders.back()->side, orders.back()->stop_price, last)
                   ? orders.back()
                   : nullptr;
    };
    Order* buy = reached(buys_);
    Order* sell = reached(sells_);
    if (buy == nullptr) return sell;
    if (sell == nullptr) return buy;
    return buy->id < sell->id ? buy : sell;
}

}  // namespace xtrader
