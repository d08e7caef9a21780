#include "xtrader/engine/matching_engine.hpp"

#include <algorithm>
#include <string>
#include <unordered_map>
#include <utility>

namespace xtrader {

namespace {

// Delivers the events of a command however apply() returns (the lesson of Liquibook's
// replace(), whose early return lost a reject).
class EventDelivery {
  public:
    EventDelivery(std::vector<Event>& events, EventHandler& handler) noexcept
        : events_(events), handler_(handler) {}
    EventDelivery(const EventDelivery&) = delete;
    EventDelivery& operator=(const EventDelivery&) = delete;
    ~EventDelivery() {
        for (const auto& event : events_) handler_.on_event(event);
        events_.clear();
    }

  private:
    std::vector<Event>& events_;
    EventHandler& handler_;
};

// 2: client ids are kept with their text (ClientIdIndex), not as a 64-bit key.
// 3: each book's version follows the books (a version 2 snapshot loads with versions 0).
// 4: book orders carry their stop price; each market's last trade price, halt and waiting stop
//    orders follow the book versions (older: 0, not halted, none).
constexpr std::uint32_t kSnapshotVersion = 4;

}  // namespace

std::string_view to_string(RejectReason reason) noexcept {
    switch (reason) {
        case RejectReason::None: return "none";
        case RejectReason::UnknownMarket: return "unknown_market";
        case RejectReason::InvalidAccount: return "invalid_account";
        case RejectReason::InvalidQuantity: return "invalid_quantity";
        case RejectReason::LotSize: return "lot_size";
        case RejectReason::QuantityBelowMinimum: return "quantity_below_minimum";
        case RejectReason::QuantityAboveMaximum: return "quantity_above_maximum";
        case RejectReason::InvalidPrice: return "invalid_price";
        case RejectReason::TickSize: return "tick_size";
        case RejectReason::PriceAboveMaximum: return "price_above_maximum";
        case RejectReason::InvalidOrderType: return "invalid_order_type";
        case RejectReason::InsufficientBalance: return "insufficient_balance";
        case RejectReason::NoLiquidity: return "no_liquidity";
        case RejectReason::PostOnlyWouldCross: return "post_only_would_cross";
        case RejectReason::UnknownOrder: return "unknown_order";
        case RejectReason::NotOwner: return "not_owner";
        case RejectReason::OrderClosed: return "order_closed";
        case RejectReason::InvalidAmount: return "invalid_amount";
        case RejectReason::UnknownAsset: return "unknown_asset";
        case RejectReason::BalanceOverflow: return "balance_overflow";
        case RejectReason::DuplicateOrderId: return "duplicate_order_id";
        case RejectReason::DuplicateClientOrderId: return "duplicate_client_order_id";
        case RejectReason::MarketHalted: return "market_halted";
        case RejectReason::PriceOutOfBand: return "price_out_of_band";
        case RejectReason::InvalidStopPrice: return "invalid_stop_price";
    }
    return "unknown";
}

std::string_view to_string(CancelReason reason) noexcept {
    switch (reason) {
        case CancelReason::Requested: return "requested";
        case CancelReason::Unfilled: return "unfilled";
        case CancelReason::SelfTrade: return "self_trade";
        case CancelReason::InsufficientBalance: return "insufficient_balance";
    }
    return "unknown";
}

MatchingEngine::MatchingEngine(MarketCatalog catalog, EngineOptions options)
    : catalog_(std::move(catalog)),
      options_(options),
      books_(catalog_.markets.size()),
      book_versions_(catalog_.markets.size(), 0),
      stop_books_(catalog_.markets.size()),
      last_prices_(catalog_.markets.size(), 0),
      halted_(catalog_.markets.size(), 0),
      ledger_(catalog_.assets.size(), options.max_accounts),
      closed_(2 * options.closed_order_memory),
      client_ids_(options.client_id_seed) {
    // Sized once: growing them later would stall one command for milliseconds.
    closed_fifo_.reserve(options_.closed_order_memory);
    events_.reserve(256);
    books_changed_.reserve(catalog_.markets.size());
}

MatchingEngine::~MatchingEngine() = default;

const Order* MatchingEngine::find_order(OrderId id) const noexcept {
    const auto* found = index_.find(id);
    return found != nullptr ? *found : nullptr;
}

RejectReason MatchingEngine::apply(const Command& command, EventHandler& handler) {
    EventDelivery delivery(events_, handler);
    const RejectReason result = std::visit(
        [&](const auto& body) -> RejectReason {
            using T = std::decay_t<decltype(body)>;
            if constexpr (std::is_same_v<T, PlaceOrder>) return place(command, body);
            if constexpr (std::is_same_v<T, CancelOrder>) return cancel(body);
            if constexpr (std::is_same_v<T, AmendOrder>) return amend(body);
            if constexpr (std::is_same_v<T, Deposit>) return deposit(body);
            if constexpr (std::is_same_v<T, Withdraw>) return withdraw(body);
            if constexpr (std::is_same_v<T, CancelAllOrders>) return cancel_all(body);
            if constexpr (std::is_same_v<T, SetMarketHalted>) return set_halted(body);
        },
        command.body);
    if (const auto market = std::exchange(traded_market_, std::nullopt)) {
        run_triggers(*market);
        traded_market_.reset();
    }
    for (const MarketId market : books_changed_) {
        events_.emplace_back(BookVersion{market, ++book_versions_[market]});
    }
    books_changed_.clear();
    return result;
}

RejectReason MatchingEngine::reject(OrderId id, AccountId account, RejectReason reason) {
    events_.emplace_back(CommandRejected{id, account, reason});
    return reason;
}

// ---- validation ----------------------------------------------------------------------------

RejectReason MatchingEngine::check_price(const MarketSpec& m, Price price) const noexcept {
    if (price <= 0) return RejectReason::InvalidPrice;
    if (price % m.tick_size != 0) return RejectReason::TickSize;
    if (price > m.max_price) return RejectReason::PriceAboveMaximum;
    return RejectReason::None;
}

RejectReason MatchingEngine::check_quantity(const MarketSpec& m, Quantity quantity) const noexcept {
    if (quantity <= 0) return RejectReason::InvalidQuantity;
    if (quantity % m.lot_size != 0) return RejectReason::LotSize;
    if (quantity < m.min_quantity) return RejectReason::QuantityBelowMinimum;
    if (quantity > m.max_quantity) return RejectReason::QuantityAboveMaximum;
    return RejectReason::None;
}

RejectReason MatchingEngine::check_band(MarketId market, Price price) const noexcept {
    const std::uint32_t band = catalog_.markets[market].price_band_ppm;
    const Price last = last_prices_[market];
    if (band == 0 || last == 0) return RejectReason::None;
    const Int128 distance = price > last ? price - last : last - price;
    return distance * 1'000'000 > static_cast<Int128>(last) * band ? RejectReason::PriceOutOfBand
                                                                   : RejectReason::None;
}

// The seed's order: symbol, quantity, price, then (in place()) the balance.
RejectReason MatchingEngine::check_order(const PlaceOrder& p) const noexcept {
    if (p.market >= catalog_.markets.size()) return RejectReason::UnknownMarket;
    if (p.account == kFeeAccount || !ledger_.valid_account(p.account)) {
        return RejectReason::InvalidAccount;
    }
    const auto& m = catalog_.markets[p.market];
    if (auto reason = check_quantity(m, p.quantity); reason != RejectReason::None) return reason;
    if (has_limit_price(p.type)) {
        if (auto reason = check_price(m, p.price); reason != RejectReason::None) return reason;
    } else if (p.price != 0) {
        return RejectReason::InvalidPrice;
    }
    // Post-only is a GTC limit order's option.
    if (p.post_only && (p.type != OrderType::Limit || p.tif != TimeInForce::GTC)) {
        return RejectReason::InvalidOrderType;
    }
    if (is_stop(p.type) ? check_price(m, p.stop_price) != RejectReason::None : p.stop_price != 0) {
        return RejectReason::InvalidStopPrice;
    }
    if (halted_[p.market] != 0) return RejectReason::MarketHalted;
    // A stop-limit's price is near its stop, not the last trade: it has no band.
    return p.type == OrderType::Limit ? check_band(p.market, p.price) : RejectReason::None;
}

Amount MatchingEngine::buy_hold(const MarketSpec& m, Price price,
                                Quantity quantity) const noexcept {
    const Amount cost = notional(m, price, quantity);
    return cost + fee_on(cost, m.taker_fee_ppm);
}

// The largest quantity (a multiple of the lot) a market buy can still pay for at `price`,
// capped at its remaining quantity.
Quantity MatchingEngine::affordable(const Order& taker, Price price) const noexcept {
    const auto& m = catalog_.markets[taker.market];
    const Amount funds = ledger_.balance(taker.account, m.quote).available;
    const Int128 lot_cost = static_cast<Int128>(price) * m.lot_size * m.quote_multiplier;
    // cost(k lots) = k * lot_cost + floor(k * lot_cost * fee / 1e6) is increasing in k; the
    // estimate below is at most one lot short of the largest affordable k.
    Int128 lots =
        static_cast<Int128>(funds) * 1'000'000 / (lot_cost * (1'000'000 + m.taker_fee_ppm));
    const Int128 cap = taker.remaining() / m.lot_size;
    if (lots >= cap) return taker.remaining();
    const auto cost = [&](Int128 k) {
        const Int128 n = k * lot_cost;
        return n + n * m.taker_fee_ppm / 1'000'000;
    };
    if (cost(lots + 1) <= funds) ++lots;
    return static_cast<Quantity>(lots) * m.lot_size;
}

// FOK: enough opposite quantity at acceptable prices, not counting the taker's own orders (self-
// trade prevention cancels those instead of filling), and for a market buy enough funds.
bool MatchingEngine::fill_or_kill_possible(const Order& taker) const noexcept {
    const auto& m = catalog_.markets[taker.market];
    const bool market_buy = !has_limit_price(taker.type) && taker.side == Side::Buy;
    const Int128 funds = ledger_.balance(taker.account, m.quote).available;
    Int128 cost = 0;
    Quantity needed = taker.remaining();
    books_[taker.market].for_each_level(opposite(taker.side), [&](const PriceLevel& level) {
        if (has_limit_price(taker.type) && !crosses(taker.side, taker.price, level.price)) {
            return false;
        }
        for (const Order* o = level.head; o != nullptr && needed > 0; o = o->next) {
            if (o->account == taker.account) continue;
            const Quantity q = std::min(needed, o->remaining());
            needed -= q;
            if (market_buy) {
                const Int128 n = static_cast<Int128>(level.price) * q * m.quote_multiplier;
                cost += n + n * m.taker_fee_ppm / 1'000'000;
            }
        }
        return needed > 0;
    });
    return needed == 0 && (!market_buy || cost <= funds);
}

RejectReason MatchingEngine::find_own_order(AccountId account, OrderId id,
                                            Order*& order) const noexcept {
    if (const auto* found = index_.find(id)) {
        order = *found;
        return order->account == account ? RejectReason::None : RejectReason::NotOwner;
    }
    if (const auto* closed = closed_.find(id)) {
        return closed->account == account ? RejectReason::OrderClosed : RejectReason::NotOwner;
    }
    return RejectReason::UnknownOrder;
}

// ---- commands ------------------------------------------------------------------------------

RejectReason MatchingEngine::place(const Command& command, const PlaceOrder& p) {
    const OrderId id = command.sequence;
    if (auto reason = check_order(p); reason != RejectReason::None) {
        return reject(id, p.account, reason);
    }
    const bool has_client_id = !p.client_order_id.empty();
    if (const OrderId* first =
            has_client_id ? client_ids_.find(p.account, p.client_order_id) : nullptr) {
        return reject(*first, p.account, RejectReason::DuplicateClientOrderId);
    }
    const auto& m = catalog_.markets[p.market];
    const PriceLevel* best = books_[p.market].best(opposite(p.side));
    if (p.type == OrderType::Market && best == nullptr) {
        return reject(id, p.account, RejectReason::NoLiquidity);
    }
    if (p.post_only && best != nullptr && crosses(p.side, p.price, best->price)) {
        return reject(id, p.account, RejectReason::PostOnlyWouldCross);
    }
    if (id == 0 || index_.find(id) != nullptr || closed_.find(id) != nullptr) {
        return reject(id, p.account, RejectReason::DuplicateOrderId);
    }

    // Hold what the order can spend. A market buy holds nothing: it pays level by level from
    // what is available, and stops when that runs out. A stop-market buy holds its cost at the
    // stop price while it waits, and gives it back to pay as a market buy once triggered.
    AssetId held_asset = m.base;
    Amount hold = 0;
    if (p.side == Side::Sell) {
        hold = p.quantity * m.base_multiplier;
    } else if (p.type != OrderType::Market) {
        held_asset = m.quote;
        hold = buy_hold(m, p.type == OrderType::StopMarket ? p.stop_price : p.price, p.quantity);
    } else {
        const Amount one_lot = buy_hold(m, best->price, m.lot_size);
        if (ledger_.balance(p.account, m.quote).available < one_lot) {
            return reject(id, p.account, RejectReason::InsufficientBalance);
        }
    }
    if (hold > 0 && !ledger_.hold(p.account, held_asset, hold)) {
        return reject(id, p.account, RejectReason::InsufficientBalance);
    }

    Order* order = order_pool_.acquire();
    order->id = id;
    order->account = p.account;
    order->market = p.market;
    order->side = p.side;
    order->type = p.type;
    order->tif = !has_limit_price(p.type) && p.tif == TimeInForce::GTC ? TimeInForce::IOC : p.tif;
    order->post_only = p.post_only;
    order->price = p.price;
    order->stop_price = p.stop_price;
    order->waiting = is_stop(p.type);
    order->quantity = p.quantity;
    order->held = hold;
    order->client_key = has_client_id ? client_ids_.hash(p.account, p.client_order_id) : 0;
    if (has_client_id) client_ids_.insert(p.account, p.client_order_id, id);
    events_.emplace_back(OrderAccepted{id, p.account, p.market, p.side, p.type, order->tif,
                                       p.post_only, p.price, p.quantity});
    if (!order->waiting) {
        execute(order, false);
        return RejectReason::None;
    }
    open(order);
    // A stop the last trade has already reached triggers at once. (No other waiting order can
    // be reached: triggers run after every trade.)
    const Price last = last_prices_[p.market];
    if (last != 0 && stop_reached(p.side, p.stop_price, last)) {
        activate(order);
    } else {
        stop_books_[p.market].insert(order);
    }
    return RejectReason::None;
}

void MatchingEngine::execute(Order* order, bool opened) {
    Stop stop = Stop::NotCrossing;
    if (order->tif != TimeInForce::FOK || fill_or_kill_possible(*order)) stop = match(order);
    if (order->remaining() == 0) {
        if (opened) close(order);
        finish(order);
    } else if (order->tif == TimeInForce::GTC) {
        if (!opened) open(order);
        rest(order);
    } else {
        events_.emplace_back(OrderCancelled{
            order->id, order->account, order->market, order->remaining(),
            stop == Stop::OutOfFunds ? CancelReason::InsufficientBalance : CancelReason::Unfilled});
        if (opened) close(order);
        finish(order);
    }
}

void MatchingEngine::activate(Order* order) {
    order->waiting = false;
    events_.emplace_back(StopTriggered{order->id, order->account, order->market, order->stop_price,
                                       last_prices_[order->market]});
    if (order->type == OrderType::StopMarket && order->side == Side::Buy) {
        const auto& m = catalog_.markets[order->market];
        ledger_.release(order->account, m.quote, order->held);
        order->held = 0;
    }
    execute(order, true);
}

void MatchingEngine::run_triggers(MarketId market) {
    StopBook& stops = stop_books_[market];
    while (Order* order = stops.next(last_prices_[market])) {
        stops.erase(order);
        activate(order);
    }
}

RejectReason MatchingEngine::cancel(const CancelOrder& c) {
    Order* order = nullptr;
    if (auto reason = find_own_order(c.account, c.order_id, order); reason != RejectReason::None) {
        return reject(c.order_id, c.account, reason);
    }
    cancel_resting(order, CancelReason::Requested);
    return RejectReason::None;
}

RejectReason MatchingEngine::cancel_all(const CancelAllOrders& c) {
    if (c.market != kAllMarkets && c.market >= catalog_.markets.size()) {
        return reject(0, c.account, RejectReason::UnknownMarket);
    }
    if (!ledger_.valid_account(c.account)) {
        return reject(0, c.account, RejectReason::InvalidAccount);
    }
    const auto* orders = by_account_.find(std::uint64_t{c.account} + 1);
    for (Order* order = orders != nullptr ? orders->head : nullptr; order != nullptr;) {
        Order* next = order->account_next;
        if (c.market == kAllMarkets || order->market == c.market) {
            cancel_resting(order, CancelReason::Requested);
        }
        order = next;
    }
    return RejectReason::None;
}

RejectReason MatchingEngine::set_halted(const SetMarketHalted& h) {
    if (h.market >= catalog_.markets.size()) return reject(0, 0, RejectReason::UnknownMarket);
    const std::uint8_t halted = h.halted ? 1 : 0;
    if (halted_[h.market] != halted) {
        halted_[h.market] = halted;
        events_.emplace_back(MarketHaltChanged{h.market, h.halted});
    }
    return RejectReason::None;
}

RejectReason MatchingEngine::amend(const AmendOrder& a) {
    Order* order = nullptr;
    if (auto reason = find_own_order(a.account, a.order_id, order); reason != RejectReason::None) {
        return reject(a.order_id, a.account, reason);
    }
    const auto refuse = [&](RejectReason reason) {
        return reject(order->id, order->account, reason);
    };
    const auto& m = catalog_.markets[order->market];
    if (order->waiting) return refuse(RejectReason::InvalidOrderType);
    if (a.new_price == 0 && a.new_quantity == 0) return refuse(RejectReason::InvalidQuantity);
    if (halted_[order->market] != 0) return refuse(RejectReason::MarketHalted);
    const Price price = a.new_price != 0 ? a.new_price : order->price;
    const Quantity quantity = a.new_quantity != 0 ? a.new_quantity : order->quantity;
    if (a.new_quantity != 0) {
        if (auto reason = check_quantity(m, quantity); reason != RejectReason::None) {
            return refuse(reason);
        }
        if (quantity <= order->filled) return refuse(RejectReason::InvalidQuantity);
    }
    OrderBook& book = books_[order->market];
    if (price != order->price) {
        if (auto reason = check_price(m, price); reason != RejectReason::None)
            return refuse(reason);
        if (auto reason = check_band(order->market, price); reason != RejectReason::None) {
            return refuse(reason);
        }
        const PriceLevel* best = book.best(opposite(order->side));
        if (order->post_only && best != nullptr && crosses(order->side, price, best->price)) {
            return refuse(RejectReason::PostOnlyWouldCross);
        }
    }
    if (price == order->price && quantity == order->quantity) return RejectReason::None;  // as is
    // The hold follows the new price and quantity exactly: top it up (or refuse the amendment)
    // or give back the excess.
    const Quantity remaining = quantity - order->filled;
    const AssetId held_asset = order->side == Side::Buy ? m.quote : m.base;
    const Amount needed =
        order->side == Side::Buy ? buy_hold(m, price, remaining) : remaining * m.base_multiplier;
    if (needed > order->held) {
        if (!ledger_.hold(order->account, held_asset, needed - order->held)) {
            return refuse(RejectReason::InsufficientBalance);
        }
    } else {
        ledger_.release(order->account, held_asset, order->held - needed);
    }
    order->held = needed;

    const Quantity old_quantity = order->quantity;
    if (quantity != old_quantity) {
        events_.emplace_back(OrderResized{order->id, order->account, order->market, old_quantity,
                                          quantity, remaining});
    }
    if (price == order->price && quantity < old_quantity) {
        // A smaller order keeps its place in the queue.
        OrderBook::reduce(order->level, old_quantity - quantity);
        order->quantity = quantity;
        level_changed(order->market, *order->level);
        return RejectReason::None;
    }
    PriceLevel* level = order->level;
    book.unlink(order);
    order->quantity = quantity;
    if (price != order->price) {
        events_.emplace_back(
            OrderMoved{order->id, order->account, order->market, order->price, price, remaining});
    }
    level_changed(order->market, *level);
    book.drop_if_empty(level);
    order->price = price;

    match(order);
    if (order->remaining() == 0) {
        close(order);
        finish(order);
    } else {
        rest(order);
    }
    return RejectReason::None;
}

RejectReason MatchingEngine::deposit(const Deposit& d) {
    if (d.asset >= catalog_.assets.size()) return reject(0, d.account, RejectReason::UnknownAsset);
    if (!ledger_.valid_account(d.account)) {
        return reject(0, d.account, RejectReason::InvalidAccount);
    }
    if (d.amount <= 0) return reject(0, d.account, RejectReason::InvalidAmount);
    if (!ledger_.deposit(d.account, d.asset, d.amount)) {
        return reject(0, d.account, RejectReason::BalanceOverflow);
    }
    events_.emplace_back(FundsDeposited{d.account, d.asset, d.amount});
    return RejectReason::None;
}

RejectReason MatchingEngine::withdraw(const Withdraw& w) {
    if (w.asset >= catalog_.assets.size()) return reject(0, w.account, RejectReason::UnknownAsset);
    if (!ledger_.valid_account(w.account)) {
        return reject(0, w.account, RejectReason::InvalidAccount);
    }
    if (w.amount <= 0) return reject(0, w.account, RejectReason::InvalidAmount);
    if (!ledger_.withdraw(w.account, w.asset, w.amount)) {
        return reject(0, w.account, RejectReason::InsufficientBalance);
    }
    events_.emplace_back(FundsWithdrawn{w.account, w.asset, w.amount});
    return RejectReason::None;
}

// ---- matching ------------------------------------------------------------------------------

// Walks the opposite side best first and, within a level, oldest first. A resting order of the
// taker's own account is cancelled (self-trade prevention keeps the newer intent). One
// BookLevelChanged per level touched, after the level is done with.
MatchingEngine::Stop MatchingEngine::match(Order* taker) {
    OrderBook& book = books_[taker->market];
    const bool market_buy = !has_limit_price(taker->type) && taker->side == Side::Buy;
    while (taker->remaining() > 0) {
        PriceLevel* level = book.best(opposite(taker->side));
        if (level == nullptr) return Stop::BookEmpty;
        if (has_limit_price(taker->type) && !crosses(taker->side, taker->price, level->price)) {
            return Stop::NotCrossing;
        }
        Stop stop = Stop::Filled;
        for (Order* maker = level->head; maker != nullptr && taker->remaining() > 0;) {
            Order* next = maker->next;
            if (maker->account == taker->account) {
                book.unlink(maker);
                events_.emplace_back(OrderCancelled{maker->id, maker->account, maker->market,
                                                    maker->remaining(), CancelReason::SelfTrade});
                close(maker);
                finish(maker);
            } else {
                Quantity quantity = std::min(taker->remaining(), maker->remaining());
                if (market_buy) {
                    // What the buyer cannot pay for here it cannot pay for at worse prices.
                    if (const Quantity can = affordable(*taker, level->price); can < quantity) {
                        quantity = can;
                        stop = Stop::OutOfFunds;
                    }
                }
                if (quantity > 0) trade(taker, maker, quantity);
                if (stop == Stop::OutOfFunds) break;
                if (maker->remaining() == 0) {
                    book.unlink(maker);
                    close(maker);
                    finish(maker);
                }
            }
            maker = next;
        }
        level_changed(taker->market, *level);
        book.drop_if_empty(level);
        if (stop != Stop::Filled) return stop;
    }
    return Stop::Filled;
}

// Settles one fill at the maker's price: the buyer pays notional + its fee (from its hold, or
// from available for a market buy), the seller's held base goes to the buyer, the seller gets
// notional - its fee, and both fees go to the fee account.
void MatchingEngine::trade(Order* taker, Order* maker, Quantity quantity) {
    const auto& m = catalog_.markets[taker->market];
    const Price price = maker->price;
    const Amount cost = notional(m, price, quantity);
    const Amount taker_fee = fee_on(cost, m.taker_fee_ppm);
    const Amount maker_fee = fee_on(cost, m.maker_fee_ppm);
    const Amount base = quantity * m.base_multiplier;

    Order* buyer = taker->side == Side::Buy ? taker : maker;
    Order* seller = taker->side == Side::Buy ? maker : taker;
    const Amount buyer_fee = buyer == taker ? taker_fee : maker_fee;
    const Amount seller_fee = seller == taker ? taker_fee : maker_fee;

    if (!has_limit_price(buyer->type)) {
        ledger_.spend_available(buyer->account, m.quote, cost + buyer_fee);
    } else {
        ledger_.spend_held(buyer->account, m.quote, cost + buyer_fee);
        buyer->held -= cost + buyer_fee;
    }
    ledger_.credit(buyer->account, m.base, base);
    ledger_.spend_held(seller->account, m.base, base);
    seller->held -= base;
    ledger_.credit(seller->account, m.quote, cost - seller_fee);
    ledger_.credit(kFeeAccount, m.quote, taker_fee + maker_fee);

    taker->filled += quantity;
    maker->filled += quantity;
    OrderBook::reduce(maker->level, quantity);
    last_prices_[taker->market] = price;
    traded_market_ = taker->market;
    events_.emplace_back(Trade{next_exec_id_++, taker->market, price, quantity, taker->id,
                               maker->id, taker->account, maker->account, taker->side, taker_fee,
                               maker_fee, taker->remaining(), maker->remaining()});
}

void MatchingEngine::rest(Order* order) {
    books_[order->market].append(order);
    level_changed(order->market, *order->level);
}

void MatchingEngine::cancel_resting(Order* order, CancelReason reason) {
    events_.emplace_back(
        OrderCancelled{order->id, order->account, order->market, order->remaining(), reason});
    if (order->waiting) {
        stop_books_[order->market].erase(order);
    } else {
        PriceLevel* level = order->level;
        OrderBook& book = books_[order->market];
        book.unlink(order);
        level_changed(order->market, *level);
        book.drop_if_empty(level);
    }
    close(order);
    finish(order);
}

void MatchingEngine::open(Order* order) {
    index_.insert(order->id, order);
    const std::uint64_t key = std::uint64_t{order->account} + 1;
    AccountOrders* orders = by_account_.find(key);
    if (orders == nullptr) {
        by_account_.insert(key, AccountOrders{});
        orders = by_account_.find(key);
    }
    order->account_prev = orders->tail;
    order->account_next = nullptr;
    (orders->tail != nullptr ? orders->tail->account_next : orders->head) = order;
    orders->tail = order;
}

void MatchingEngine::close(Order* order) noexcept {
    index_.erase(order->id);
    const std::uint64_t key = std::uint64_t{order->account} + 1;
    AccountOrders* orders = by_account_.find(key);
    (order->account_prev != nullptr ? order->account_prev->account_next : orders->head) =
        order->account_next;
    (order->account_next != nullptr ? order->account_next->account_prev : orders->tail) =
        order->account_prev;
    if (orders->head == nullptr) by_account_.erase(key);
}

void MatchingEngine::finish(Order* order) {
    if (order->held > 0) {
        const auto& m = catalog_.markets[order->market];
        ledger_.release(order->account, order->side == Side::Buy ? m.quote : m.base, order->held);
    }
    remember_closed(*order);
    order_pool_.release(order);
}

void MatchingEngine::remember_closed(const Order& order) {
    const Closed closed{order.id, order.account, order.client_key};
    if (options_.closed_order_memory == 0) {
        if (closed.client_key != 0) client_ids_.erase(closed.client_key, closed.id);
        return;
    }
    if (closed_fifo_.size() < options_.closed_order_memory) {
        closed_fifo_.push_back(closed);
    } else {
        const Closed& oldest = closed_fifo_[closed_head_];
        closed_.erase(oldest.id);
        if (oldest.client_key != 0) client_ids_.erase(oldest.client_key, oldest.id);
        closed_fifo_[closed_head_] = closed;
        closed_head_ = (closed_head_ + 1) % closed_fifo_.size();
    }
    closed_.insert(closed.id, ClosedOrder{closed.account});
}

void MatchingEngine::level_changed(MarketId market, const PriceLevel& level) {
    events_.emplace_back(
        BookLevelChanged{market, level.side, level.price, level.volume, level.order_count});
    if (std::find(books_changed_.begin(), books_changed_.end(), market) == books_changed_.end()) {
        books_changed_.push_back(market);
    }
}

// ---- snapshots -----------------------------------------------------------------------------

void MatchingEngine::save(ByteWriter& out) const {
    out.put(kSnapshotVersion);
    out.put(next_exec_id_);
    ledger_.save(out);
    out.put(static_cast<std::uint32_t>(books_.size()));
    for (const auto& book : books_) {
        for (Side side : {Side::Buy, Side::Sell}) {
            out.put(static_cast<std::uint32_t>(book.level_count(side)));
            book.for_each_level(side, [&](const PriceLevel& level) {
                out.put(level.price);
                out.put(level.order_count);
                for (const Order* o = level.head; o != nullptr; o = o->next) {
                    out.put(o->id);
                    out.put(o->account);
                    out.put(static_cast<std::uint8_t>(o->type));
                    out.put(static_cast<std::uint8_t>(o->tif));
                    out.put(static_cast<std::uint8_t>(o->post_only));
                    out.put(o->quantity);
                    out.put(o->filled);
                    out.put(o->held);
                    out.put(o->stop_price);
                }
                return true;
            });
        }
    }
    for (const auto version : book_versions_) out.put(version);
    for (MarketId market = 0; market < books_.size(); ++market) {
        out.put(last_prices_[market]);
        out.put(halted_[market]);
        out.put(static_cast<std::uint64_t>(stop_books_[market].size()));
        // In the book's own order: a function of its orders alone.
        stop_books_[market].for_each([&](const Order* o) {
            out.put(o->id);
            out.put(o->account);
            out.put(static_cast<std::uint8_t>(o->side));
            out.put(static_cast<std::uint8_t>(o->type));
            out.put(static_cast<std::uint8_t>(o->tif));
            out.put(o->price);
            out.put(o->stop_price);
            out.put(o->quantity);
            out.put(o->held);
        });
    }
    // Remembered closed orders, oldest first.
    out.put(static_cast<std::uint64_t>(closed_fifo_.size()));
    for (std::size_t i = 0; i < closed_fifo_.size(); ++i) {
        const Closed& closed = closed_fifo_[(closed_head_ + i) % closed_fifo_.size()];
        out.put(closed.id);
        out.put(closed.account);
    }
    // Client ids with their text, by order id: the same state gives the same bytes whatever
    // the index's seed and history.
    std::vector<const ClientIdIndex::Entry*> entries;
    entries.reserve(client_ids_.size());
    for (const auto& e : client_ids_.slots()) {
        if (e.hash != 0) entries.push_back(&e);
    }
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->order < b->order; });
    out.put(static_cast<std::uint64_t>(entries.size()));
    for (const auto* e : entries) {
        out.put(e->order);
        out.put(e->account);
        const auto text = e->id.view();
        out.put(static_cast<std::uint8_t>(text.size()));
        for (char c : text) out.put(c);
    }
}

bool MatchingEngine::load(ByteReader& in) {
    const auto clear = [this] {
        for (auto& book : books_) book = OrderBook{};
        for (auto& stops : stop_books_) stops = StopBook{};
        std::fill(book_versions_.begin(), book_versions_.end(), 0);
        std::fill(last_prices_.begin(), last_prices_.end(), 0);
        std::fill(halted_.begin(), halted_.end(), 0);
        index_.clear();
        by_account_.clear();
        closed_.clear();
        client_ids_.clear();
        closed_fifo_.clear();
        closed_head_ = 0;
        next_exec_id_ = 1;
        ledger_ = Ledger(catalog_.assets.size(), options_.max_accounts);
        return false;
    };
    // Orders of the books being replaced go back to the pool.
    for (auto& book : books_) {
        for (Side side : {Side::Buy, Side::Sell}) {
            std::vector<Order*> orders;
            book.for_each_level(side, [&](const PriceLevel& level) {
                for (Order* o = level.head; o != nullptr; o = o->next) orders.push_back(o);
                return true;
            });
            for (Order* o : orders) order_pool_.release(o);
        }
    }
    for (const auto& stops : stop_books_) stops.for_each([&](Order* o) { order_pool_.release(o); });
    clear();

    const auto version = in.get<std::uint32_t>();
    if (version < 2 || version > kSnapshotVersion) return clear();
    next_exec_id_ = in.get<ExecId>();
    if (!ledger_.load(in)) return clear();
    std::vector<Order*> loaded;  // load only: no allocation when trading
    if (in.get<std::uint32_t>() != books_.size()) return clear();
    for (MarketId market = 0; market < books_.size(); ++market) {
        for (Side side : {Side::Buy, Side::Sell}) {
            const auto levels = in.get<std::uint32_t>();
            // Levels come best first; appending them in that order rebuilds the same book.
            for (std::uint32_t l = 0; l < levels && !in.failed(); ++l) {
                const auto price = in.get<Price>();
                const auto count = in.get<std::uint32_t>();
                for (std::uint32_t k = 0; k < count && !in.failed(); ++k) {
                    Order* o = order_pool_.acquire();
                    o->id = in.get<OrderId>();
                    o->account = in.get<AccountId>();
                    o->market = market;
                    o->side = side;
                    o->type = static_cast<OrderType>(in.get<std::uint8_t>());
                    o->tif = static_cast<TimeInForce>(in.get<std::uint8_t>());
                    o->post_only = in.get<std::uint8_t>() != 0;
                    o->price = price;
                    o->quantity = in.get<Quantity>();
                    o->filled = in.get<Quantity>();
                    o->held = in.get<Amount>();
                    o->stop_price = version >= 4 ? in.get<Price>() : 0;
                    if (in.failed() || o->id == 0 || o->remaining() <= 0 ||
                        o->type > OrderType::StopMarket || o->tif > TimeInForce::FOK) {
                        order_pool_.release(o);
                        return clear();
                    }
                    books_[market].append(o);
                    loaded.push_back(o);
                }
            }
        }
    }
    if (version >= 3) {
        for (auto& v : book_versions_) v = in.get<std::uint64_t>();
    }
    for (MarketId market = 0; market < books_.size() && version >= 4; ++market) {
        last_prices_[market] = in.get<Price>();
        halted_[market] = in.get<std::uint8_t>();
        if (last_prices_[market] < 0 || halted_[market] > 1) return clear();
        const auto stops = in.get<std::uint64_t>();
        for (std::uint64_t i = 0; i < stops && !in.failed(); ++i) {
            Order* o = order_pool_.acquire();
            o->id = in.get<OrderId>();
            o->account = in.get<AccountId>();
            o->market = market;
            o->side = static_cast<Side>(in.get<std::uint8_t>());
            o->type = static_cast<OrderType>(in.get<std::uint8_t>());
            o->tif = static_cast<TimeInForce>(in.get<std::uint8_t>());
            o->post_only = false;
            o->price = in.get<Price>();
            o->stop_price = in.get<Price>();
            o->quantity = in.get<Quantity>();
            o->filled = 0;
            o->held = in.get<Amount>();
            o->waiting = true;
            if (in.failed() || o->id == 0 || o->quantity <= 0 || o->side > Side::Sell ||
                !is_stop(o->type) || o->tif > TimeInForce::FOK) {
                order_pool_.release(o);
                return clear();
            }
            stop_books_[market].insert(o);
            loaded.push_back(o);
        }
    }
    // Each account's list is oldest first, as trading builds it.
    std::sort(loaded.begin(), loaded.end(),
              [](const Order* a, const Order* b) { return a->id < b->id; });
    for (Order* o : loaded) open(o);
    const auto closed = in.get<std::uint64_t>();
    for (std::uint64_t i = 0; i < closed && !in.failed(); ++i) {
        Order order;
        order.id = in.get<OrderId>();
        order.account = in.get<AccountId>();
        if (order.id == 0) return clear();
        remember_closed(order);
    }
    // The client ids, each joined again to its order (open, or remembered closed).
    const auto ids = in.get<std::uint64_t>();
    std::unordered_map<OrderId, Closed*> closed_by_id;  // load only: no allocation when trading
    if (ids != 0) {
        for (auto& c : closed_fifo_) closed_by_id.emplace(c.id, &c);
    }
    std::string text;
    for (std::uint64_t i = 0; i < ids && !in.failed(); ++i) {
        const auto order_id = in.get<OrderId>();
        const auto account = in.get<AccountId>();
        text.resize(in.get<std::uint8_t>());
        for (char& c : text) c = in.get<char>();
        const auto id = ClientOrderId::parse(text);
        if (in.failed() || !id || client_ids_.find(account, *id) != nullptr) return clear();
        const auto hash = client_ids_.hash(account, *id);
        if (auto* const* open = index_.find(order_id)) {
            if ((*open)->account != account) return clear();
            (*open)->client_key = hash;
        } else if (const auto found = closed_by_id.find(order_id);
                   found != closed_by_id.end() && found->second->account == account) {
            found->second->client_key = hash;
        } else {
            return clear();
        }
        client_ids_.insert(account, *id, order_id);
    }
    if (in.failed()) return clear();
    return true;
}

std::uint64_t MatchingEngine::state_hash() const {
    std::vector<std::byte> bytes;
    ByteWriter out(bytes);
    save(out);
    return fnv1a(bytes);
}

}  // namespace xtrader
