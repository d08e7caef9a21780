// The matching engine: one OrderBook per market, the Ledger, and price-time matching between
// them. apply() is the only mutator; the same sequence of commands always yields the same state
// and the same events, which replay and the differential tests rely on.
//
// Purity: no I/O, clock, thread, allocation-per-order or JSON. Orders and levels come from pools;
// the id index is open addressing. Every rejection is decided before any state changes.
//
// Not thread-safe; owned by the sequencer thread. apply() costs O(log levels) per level touched
// plus O(1) per order filled or cancelled; cancel is O(1) plus a level erase.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "xtrader/core/binary.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/engine/client_id_index.hpp"
#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/engine/id_map.hpp"
#include "xtrader/engine/ledger.hpp"
#include "xtrader/engine/object_pool.hpp"
#include "xtrader/engine/order_book.hpp"

namespace xtrader {

struct EngineOptions {
    // Account ids must be below this; the ledger is a dense table indexed by account.
    std::size_t max_accounts = 1 << 20;
    // How many finished orders the engine remembers, so that cancelling one answers OrderClosed
    // or NotOwner instead of UnknownOrder, and their client_order_ids stay taken. The oldest are
    // forgotten first.
    std::size_t closed_order_memory = 1 << 20;
    // Seeds where client_order_ids land in their index (ClientIdIndex); no effect on state,
    // events or snapshots. xtraderd draws it at random so that crafted ids cannot collide.
    std::uint64_t client_id_seed = 0;
};

class MatchingEngine {
  public:
    MatchingEngine(MarketCatalog catalog, EngineOptions options = {});
    MatchingEngine(const MatchingEngine&) = delete;
    MatchingEngine& operator=(const MatchingEngine&) = delete;
    ~MatchingEngine();

    // Applies one command and then hands its events, in order, to `handler`. Returns
    // RejectReason::None when the command was carried out (a CommandRejected event otherwise).
    RejectReason apply(const Command& command, EventHandler& handler);

    const MarketCatalog& catalog() const noexcept { return catalog_; }
    const Ledger& ledger() const noexcept { return ledger_; }
    const OrderBook& book(MarketId market) const noexcept { return books_[market]; }
    const StopBook& stop_book(MarketId market) const noexcept { return stop_books_[market]; }
    // The market's BookVersion: how many commands have changed its book.
    std::uint64_t book_version(MarketId market) const noexcept { return book_versions_[market]; }
    const Order* find_order(OrderId id) const noexcept;
    std::size_t open_order_count() const noexcept { return index_.size(); }
    bool halted(MarketId market) const noexcept { return halted_[market] != 0; }
    // The price of the market's last trade; 0 before its first.
    Price last_price(MarketId market) const noexcept { return last_prices_[market]; }

    // The full state in a canonical byte form (snapshots), and back. load() requires an engine
    // built with the same catalog; on failure the engine is left empty.
    void save(ByteWriter& out) const;
    bool load(ByteReader& in);
    // FNV-1a of save(): equal states have equal hashes.
    std::uint64_t state_hash() const;

  private:
    struct ClosedOrder {
        AccountId account;
    };
    // Why a taker stopped before its quantity was done.
    enum class Stop : std::uint8_t { Filled, NotCrossing, BookEmpty, OutOfFunds };

    RejectReason place(const Command& command, const PlaceOrder& p);
    RejectReason cancel(const CancelOrder& c);
    RejectReason amend(const AmendOrder& a);
    RejectReason cancel_all(const CancelAllOrders& c);
    RejectReason set_halted(const SetMarketHalted& h);
    RejectReason deposit(const Deposit& d);
    RejectReason withdraw(const Withdraw& w);

    RejectReason check_order(const PlaceOrder& p) const noexcept;
    RejectReason check_price(const MarketSpec& m, Price price) const noexcept;
    RejectReason check_quantity(const MarketSpec& m, Quantity quantity) const noexcept;
    RejectReason check_band(MarketId market, Price price) const noexcept;
    RejectReason find_own_order(AccountId account, OrderId id, Order*& order) const noexcept;
    bool fill_or_kill_possible(const Order& taker) const noexcept;
    Quantity affordable(const Order& taker, Price price) const noexcept;
    Amount buy_hold(const MarketSpec& m, Price price, Quantity quantity) const noexcept;

    // A new order, or a stop order just triggered (`open`: already in the index), takes from
    // the book; then it rests, finishes, or has its remainder cancelled.
    void execute(Order* order, bool open);
    void activate(Order* order);         // triggers a waiting stop order
    void run_triggers(MarketId market);  // triggers stop orders until the last price meets none
    Stop match(Order* taker);
    void trade(Order* taker, Order* maker, Quantity quantity);
    void rest(Order* order);
    void cancel_resting(Order* order, CancelReason reason);
    // An order enters the index and the end of its account's list when it rests, and leaves
    // both when it finishes. Order ids grow with the sequence, so each list is oldest first.
    void open(Order* order);
    void close(Order* order) noexcept;
    void finish(Order* order);  // releases the rest of its hold, remembers it closed, frees it
    void level_changed(MarketId market, const PriceLevel& level);
    RejectReason reject(OrderId id, AccountId account, RejectReason reason);
    void remember_closed(const Order& order);

    MarketCatalog catalog_;
    EngineOptions options_;
    std::vector<OrderBook> books_;
    std::vector<std::uint64_t> book_versions_;
    std::vector<StopBook> stop_books_;
    std::vector<Price> last_prices_;
    // The market where the command being applied traded: its stop orders may trigger.
    std::optional<MarketId> traded_market_;
    std::vector<std::uint8_t> halted_;
    // The markets whose books the command being applied changed, in the order they first did.
    std::vector<MarketId> books_changed_;
    Ledger ledger_;
    ObjectPool<Order> order_pool_;
    IdMap<Order*> index_;
    struct AccountOrders {
        Order* head = nullptr;  // oldest
        Order* tail = nullptr;
    };
    IdMap<AccountOrders> by_account_;  // keyed by account + 1 (ids must not be 0)
    IdMap<ClosedOrder> closed_;
    struct Closed {
        OrderId id;
        AccountId account;
        std::uint64_t client_key;  // its ClientIdIndex hash; 0 = none
    };
    std::vector<Closed> closed_fifo_;  // ring, oldest at closed_head_
    ClientIdIndex client_ids_;         // open and remembered orders' client ids
    std::size_t closed_head_ = 0;
    ExecId next_exec_id_ = 1;
    std::vector<Event> events_;  // of the command being applied
};

}  // namespace xtrader
