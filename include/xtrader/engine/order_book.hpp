// One market's resting orders: price levels kept sorted per side, a FIFO of orders per level.
//
// Each side is a flat vector of level pointers sorted so that the best level is at the back:
// bids ascending, asks descending. Activity concentrates near the top of the book, so inserting
// or erasing a level moves only the few entries above it, and best() is O(1). Finding a level
// by price is a binary search, O(log levels). Orders and levels are pool nodes with stable
// addresses; an order knows its level, so unlinking it is O(1).
//
// The book is a data structure only: matching, holds and events live in MatchingEngine.
// Not thread-safe; owned by the sequencer thread.
#pragma once

#include <cstdint>
#include <vector>

#include "xtrader/core/types.hpp"
#include "xtrader/engine/object_pool.hpp"

namespace xtrader {

struct PriceLevel;

struct Order {
    OrderId id = 0;
    AccountId account = 0;
    MarketId market = 0;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce tif = TimeInForce::GTC;
    bool post_only = false;
    Price price = 0;
    Price stop_price = 0;
    bool waiting = false;  // a stop order not yet triggered: in a StopBook, not on the book
    Quantity quantity = 0;
    Quantity filled = 0;
    Amount held = 0;  // what the ledger holds for this order: quote for a buy, base for a sell
    std::uint64_t client_key = 0;  // MatchingEngine's key of its client_order_id; 0 = none

    Order* prev = nullptr;  // in its level
    Order* next = nullptr;
    PriceLevel* level = nullptr;
    Order* account_prev = nullptr;  // among its account's open orders (MatchingEngine)
    Order* account_next = nullptr;

    Quantity remaining() const noexcept { return quantity - filled; }
};

struct PriceLevel {
    Price price = 0;
    Side side = Side::Buy;
    Quantity volume = 0;
    std::uint32_t order_count = 0;
    Order* head = nullptr;  // oldest: next to fill
    Order* tail = nullptr;
};

struct DepthLevel {
    Price price = 0;
    Quantity volume = 0;
    std::uint32_t order_count = 0;
    bool operator==(const DepthLevel&) const = default;
};

class OrderBook {
  public:
    OrderBook() = default;
    OrderBook(const OrderBook&) = delete;
    OrderBook& operator=(const OrderBook&) = delete;
    OrderBook(OrderBook&&) = default;
    OrderBook& operator=(OrderBook&&) = default;

    // The best level of a side, or nullptr when the side is empty.
    PriceLevel* best(Side side) const noexcept {
        const auto& levels = side_levels(side);
        return levels.empty() ? nullptr : levels.back();
    }

    // Appends the order at the back of the level for its price and side, creating the level.
    void append(Order* order);

    // Unlinks the order from its level; an emptied level stays until drop_if_empty, so that a
    // caller iterating a level may unlink orders from it.
    void unlink(Order* order) noexcept;

    // Erases the level when it holds no order.
    void drop_if_empty(PriceLevel* level);

    // Lowers the resting volume after a fill of `quantity` from an order at `level`, or after an
    // amendment took that much from an order's quantity.
    static void reduce(PriceLevel* level, Quantity quantity) noexcept { level->volume -= quantity; }

    // Levels best first; at most max_levels of them.
    std::vector<DepthLevel> depth(Side side, std::size_t max_levels) const;

    // Visits levels best first until f returns false.
    template <class F>
    void for_each_level(Side side, F&& f) const {
        const auto& levels = side_levels(side);
        for (auto it = levels.rbegin(); it != levels.rend(); ++it) {
            if (!f(**it)) return;
        }
    }

    std::size_t level_count(Side side) const noexcept { return side_levels(side).size(); }

  private:
    const std::vector<PriceLevel*>& side_levels(Side side) const noexcept {
        return side == Side::Buy ? bids_ : asks_;
    }
    std::vector<PriceLevel*>& side_levels(Side side) noexcept {
        return side == Side::Buy ? bids_ : asks_;
    }
    // The position of the first level not better than price (levels are sorted worst first).
    std::vector<PriceLevel*>::iterator find_position(Side side, Price price) noexcept;

    std::vector<PriceLevel*> bids_;  // ascending price: best bid at the back
    std::vector<PriceLevel*> asks_;  // descending price: best ask at the back
    ObjectPool<PriceLevel, 1024> level_pool_;
};

// Whether a last trade price triggers a stop order of `side` with this stop price.
constexpr bool stop_reached(Side side, Price stop, Price last) noexcept {
    return side == Side::Buy ? last >= stop : last <= stop;
}

// One market's stop orders waiting for their trigger, each side sorted so that the next to trigger
// is at the back: buys by stop price descending, sells ascending, the older order behind at
// equal stops. Insert and erase are O(log n + n moved); stop orders are few beside the book.
// Not thread-safe; owned by the sequencer thread.
class StopBook {
  public:
    void insert(Order* order);
    void erase(const Order* order) noexcept;
    // The waiting order that a last trade price triggers next: the stop the price crossed first,
    // then the older order (the lower id, between a buy and a sell); nullptr when none.
    Order* next(Price last) const noexcept;
    std::size_t size() const noexcept { return buys_.size() + sells_.size(); }
    // Visits every waiting order, in no particular order.
    template <class F>
    void for_each(F&& f) const {
        for (Order* o : buys_) f(o);
        for (Order* o : sells_) f(o);
    }

  private:
    std::vector<Order*> buys_;
    std::vector<Order*> sells_;
};

// True when a limit price on `side` reaches a resting price on the opposite side.
constexpr bool crosses(Side side, Price limit, Price resting) noexcept {
    return side == Side::Buy ? limit >= resting : limit <= resting;
}

}  // namespace xtrader
