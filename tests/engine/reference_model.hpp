// A plain reference exchange for the differential test: the same rules as MatchingEngine,
// written for obviousness, not speed. Orders live in one vector and every question (best price,
// level volume, time priority) is a linear scan. Shares no code with the engine but the types.
#pragma once

#include <algorithm>
#include <deque>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "xtrader/core/market.hpp"
#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/engine/ledger.hpp"

namespace xtrader::testing {

class ReferenceExchange {
  public:
    struct RefOrder {
        OrderId id;
        AccountId account;
        MarketId market;
        Side side;
        OrderType type;
        TimeInForce tif;
        bool post_only;
        Price price;
        Quantity quantity;
        Quantity filled;
        Amount held;
        std::uint64_t priority;  // lower is older at its price
        ClientOrderId client;
        Price stop_price = 0;
        Quantity remaining() const { return quantity - filled; }
    };
    struct ClosedEntry {
        OrderId id;
        AccountId account;
        ClientOrderId client;
    };

    ReferenceExchange(MarketCatalog catalog, std::size_t max_accounts, std::size_t closed_memory)
        : catalog_(std::move(catalog)),
          max_accounts_(max_accounts),
          closed_memory_(closed_memory),
          totals_(catalog_.assets.size(), 0) {}

    RejectReason apply(const Command& c, std::vector<Event>& out) {
        out_ = &out;
        const std::size_t first = out.size();
        const ExecId exec_before = next_exec_;
        const RejectReason result = apply_body(c);
        if (next_exec_ != exec_before) run_triggers(last_trade_market_);
        // A command counts once in the version of each book whose levels it changed, in the
        // order the books first changed.
        std::vector<MarketId> changed;
        for (std::size_t i = first; i < out.size(); ++i) {
            if (const auto* level = std::get_if<BookLevelChanged>(&out[i])) {
                if (std::find(changed.begin(), changed.end(), level->market) == changed.end()) {
                    changed.push_back(level->market);
                }
            }
        }
        for (const MarketId market : changed) {
            out.push_back(BookVersion{market, ++book_versions_[market]});
        }
        return result;
    }

    Balance balance(AccountId account, AssetId asset) const {
        const auto it = balances_.find({account, asset});
        return it == balances_.end() ? Balance{} : it->second;
    }
    const std::vector<RefOrder>& orders() const { return orders_; }  // on the books
    const std::vector<RefOrder>& stops() const { return stops_; }    // waiting stop orders
    bool halted(MarketId market) const { return halted_.count(market) != 0; }
    Price last_price(MarketId market) const {
        const auto it = last_price_.find(market);
        return it == last_price_.end() ? 0 : it->second;
    }
    std::vector<AccountId> accounts() const {
        std::vector<AccountId> out;
        for (const auto& [key, b] : balances_) out.push_back(key.first);
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }

  private:
    RejectReason apply_body(const Command& c) {
        if (const auto* p = std::get_if<PlaceOrder>(&c.body)) return place(c.sequence, *p);
        if (const auto* x = std::get_if<CancelOrder>(&c.body)) return cancel(*x);
        if (const auto* m = std::get_if<AmendOrder>(&c.body)) return amend(*m);
        if (const auto* a = std::get_if<CancelAllOrders>(&c.body)) return cancel_all(*a);
        if (const auto* h = std::get_if<SetMarketHalted>(&c.body)) return set_halted(*h);
        if (const auto* d = std::get_if<Deposit>(&c.body)) return deposit(*d);
        return withdraw(std::get<Withdraw>(c.body));
    }
    void emit(Event e) { out_->push_back(e); }
    RejectReason reject(OrderId id, AccountId account, RejectReason r) {
        emit(CommandRejected{id, account, r});
        return r;
    }

    std::optional<Price> best_price(MarketId market, Side side) const {
        std::optional<Price> best;
        for (const auto& o : orders_) {
            if (o.market != market || o.side != side) continue;
            if (!best || (side == Side::Buy ? o.price > *best : o.price < *best)) best = o.price;
        }
        return best;
    }
    void emit_level(MarketId market, Side side, Price price) {
        Quantity volume = 0;
        std::uint32_t count = 0;
        for (const auto& o : orders_) {
            if (o.market == market && o.side == side && o.price == price) {
                volume += o.remaining();
                ++count;
            }
        }
        emit(BookLevelChanged{market, side, price, volume, count});
    }
    static bool reaches(Side side, Price limit, Price resting) {
        return side == Side::Buy ? limit >= resting : limit <= resting;
    }
    RefOrder* find(OrderId id) {
        for (auto& o : orders_) {
            if (o.id == id) return &o;
        }
        return nullptr;
    }
    RefOrder* find_stop(OrderId id) {
        for (auto& o : stops_) {
            if (o.id == id) return &o;
        }
        return nullptr;
    }
    void erase(OrderId id) {
        orders_.erase(std::find_if(orders_.begin(), orders_.end(),
                                   [&](const RefOrder& o) { return o.id == id; }));
    }
    const ClosedEntry* find_closed(OrderId id) const {
        for (const auto& entry : closed_) {
            if (entry.id == id) return &entry;
        }
        return nullptr;
    }
    // The open or remembered order of the account with this client id.
    std::optional<OrderId> find_client(AccountId account, const ClientOrderId& client) const {
        if (client.empty()) return std::nullopt;
        for (const auto& o : orders_) {
            if (o.account == account && o.client == client) return o.id;
        }
        for (const auto& o : stops_) {
            if (o.account == account && o.client == client) return o.id;
        }
        for (const auto& c : closed_) {
            if (c.account == account && c.client == client) return c.id;
        }
        return std::nullopt;
    }

    Balance& bal(AccountId a, AssetId s) { return balances_[{a, s}]; }

    static Amount fee(Amount notional, std::uint32_t ppm) {
        return static_cast<Amount>(static_cast<Int128>(notional) * ppm / 1'000'000);
    }
    Amount cost_with_taker_fee(const MarketSpec& m, Price price, Quantity q) const {
        const Amount n = price * q * m.quote_multiplier;
        return n + fee(n, m.taker_fee_ppm);
    }

    void finish(const RefOrder& o) {
        const auto& m = catalog_.markets[o.market];
        const AssetId asset = o.side == Side::Buy ? m.quote : m.base;
        bal(o.account, asset).held -= o.held;
        bal(o.account, asset).available += o.held;
        if (closed_memory_ == 0) return;
        if (closed_.size() == closed_memory_) closed_.pop_front();
        closed_.push_back({o.id, o.account, o.client});
    }

    RejectReason check_price(const MarketSpec& m, Price price) const {
        if (price <= 0) return RejectReason::InvalidPrice;
        if (price % m.tick_size != 0) return RejectReason::TickSize;
        if (price > m.max_price) return RejectReason::PriceAboveMaximum;
        return RejectReason::None;
    }

    RejectReason check_quantity(const MarketSpec& m, Quantity q) const {
        if (q <= 0) return RejectReason::InvalidQuantity;
        if (q % m.lot_size != 0) return RejectReason::LotSize;
        if (q < m.min_quantity) return RejectReason::QuantityBelowMinimum;
        if (q > m.max_quantity) return RejectReason::QuantityAboveMaximum;
        return RejectReason::None;
    }

    RejectReason check_band(MarketId market, Price price) const {
        const auto it = last_price_.find(market);
        if (catalog_.markets[market].price_band_ppm == 0 || it == last_price_.end()) {
            return RejectReason::None;
        }
        // Exact in integers: |price - last| / last > band.
        const Int128 distance = price > it->second ? price - it->second : it->second - price;
        return distance * 1'000'000 >
                       static_cast<Int128>(it->second) * catalog_.markets[market].price_band_ppm
                   ? RejectReason::PriceOutOfBand
                   : RejectReason::None;
    }

    // Every order kind: symbol, account, quantity, price, stop price, then the market's state.
    RejectReason check(const PlaceOrder& p) const {
        if (p.market >= catalog_.markets.size()) return RejectReason::UnknownMarket;
        if (p.account == 0 || p.account >= max_accounts_) return RejectReason::InvalidAccount;
        const auto& m = catalog_.markets[p.market];
        if (auto r = check_quantity(m, p.quantity); r != RejectReason::None) return r;
        const bool priced = p.type == OrderType::Limit || p.type == OrderType::StopLimit;
        const bool stop = p.type == OrderType::StopLimit || p.type == OrderType::StopMarket;
        if (priced) {
            if (auto r = check_price(m, p.price); r != RejectReason::None) return r;
        } else if (p.price != 0) {
            return RejectReason::InvalidPrice;
        }
        if (p.post_only && (p.type != OrderType::Limit || p.tif != TimeInForce::GTC)) {
            return RejectReason::InvalidOrderType;
        }
        if (stop ? check_price(m, p.stop_price) != RejectReason::None : p.stop_price != 0) {
            return RejectReason::InvalidStopPrice;
        }
        if (halted(p.market)) return RejectReason::MarketHalted;
        return p.type == OrderType::Limit ? check_band(p.market, p.price) : RejectReason::None;
    }

    // Opposite orders in the order the taker meets them.
    std::vector<RefOrder> opposite_in_priority(const RefOrder& t) const {
        std::vector<RefOrder> v;
        for (const auto& o : orders_) {
            if (o.market == t.market && o.side != t.side) v.push_back(o);
        }
        std::sort(v.begin(), v.end(), [&](const RefOrder& a, const RefOrder& b) {
            if (a.price != b.price)
                return t.side == Side::Buy ? a.price < b.price : a.price > b.price;
            return a.priority < b.priority;
        });
        return v;
    }

    bool fok_possible(const RefOrder& t) {
        const auto& m = catalog_.markets[t.market];
        const bool market_buy = !has_limit_price(t.type) && t.side == Side::Buy;
        Quantity needed = t.remaining();
        Int128 cost = 0;
        for (const auto& o : opposite_in_priority(t)) {
            if (needed == 0) break;
            if (has_limit_price(t.type) && !reaches(t.side, t.price, o.price)) break;
            if (o.account == t.account) continue;
            const Quantity q = std::min(needed, o.remaining());
            needed -= q;
            if (market_buy) cost += cost_with_taker_fee(m, o.price, q);
        }
        return needed == 0 && (!market_buy || cost <= balance(t.account, m.quote).available);
    }

    // Largest affordable multiple of the lot, by bisection over the exact cost.
    Quantity affordable(const RefOrder& t, Price price) {
        const auto& m = catalog_.markets[t.market];
        const Amount funds = balance(t.account, m.quote).available;
        Quantity lo = 0;
        Quantity hi = t.remaining() / m.lot_size;
        while (lo < hi) {
            const Quantity mid = lo + (hi - lo + 1) / 2;
            if (cost_with_taker_fee(m, price, mid * m.lot_size) <= funds) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo * m.lot_size;
    }

    enum class Stop { Filled, NotCrossing, BookEmpty, OutOfFunds };

    Stop match(RefOrder& t) {
        const auto& m = catalog_.markets[t.market];
        const Side opp = t.side == Side::Buy ? Side::Sell : Side::Buy;
        const bool market_buy = !has_limit_price(t.type) && t.side == Side::Buy;
        while (t.remaining() > 0) {
            const auto best = best_price(t.market, opp);
            if (!best) return Stop::BookEmpty;
            if (has_limit_price(t.type) && !reaches(t.side, t.price, *best)) {
                return Stop::NotCrossing;
            }
            std::vector<std::pair<std::uint64_t, OrderId>> level;
            for (const auto& o : orders_) {
                if (o.market == t.market && o.side == opp && o.price == *best) {
                    level.emplace_back(o.priority, o.id);
                }
            }
            std::sort(level.begin(), level.end());
            Stop stop = Stop::Filled;
            for (const auto& [priority, id] : level) {
                if (t.remaining() == 0) break;
                RefOrder maker = *find(id);
                if (maker.account == t.account) {
                    erase(id);
                    emit(OrderCancelled{maker.id, maker.account, maker.market, maker.remaining(),
                                        CancelReason::SelfTrade});
                    finish(maker);
                    continue;
                }
                Quantity q = std::min(t.remaining(), maker.remaining());
                if (market_buy && affordable(t, *best) < q) {
                    q = affordable(t, *best);
                    stop = Stop::OutOfFunds;
                    if (q == 0) break;
                }
                const Amount n = *best * q * m.quote_multiplier;
                const Amount tf = fee(n, m.taker_fee_ppm);
                const Amount mf = fee(n, m.maker_fee_ppm);
                RefOrder& buyer = t.side == Side::Buy ? t : maker;
                RefOrder& seller = t.side == Side::Buy ? maker : t;
                const Amount bf = t.side == Side::Buy ? tf : mf;
                const Amount sf = t.side == Side::Buy ? mf : tf;
                if (!has_limit_price(buyer.type)) {
                    bal(buyer.account, m.quote).available -= n + bf;
                } else {
                    bal(buyer.account, m.quote).held -= n + bf;
                    buyer.held -= n + bf;
                }
                bal(buyer.account, m.base).available += q * m.base_multiplier;
                bal(seller.account, m.base).held -= q * m.base_multiplier;
                seller.held -= q * m.base_multiplier;
                bal(seller.account, m.quote).available += n - sf;
                bal(0, m.quote).available += tf + mf;
                t.filled += q;
                maker.filled += q;
                last_price_[t.market] = *best;
                last_trade_market_ = t.market;
                emit(Trade{next_exec_++, t.market, *best, q, t.id, maker.id, t.account,
                           maker.account, t.side, tf, mf, t.remaining(), maker.remaining()});
                if (maker.remaining() == 0) {
                    erase(id);
                    finish(maker);
                } else {
                    *find(id) = maker;
                }
                if (stop == Stop::OutOfFunds) break;
            }
            emit_level(t.market, opp, *best);
            if (stop != Stop::Filled) return stop;
        }
        return Stop::Filled;
    }

    void rest(RefOrder t) {
        t.priority = next_priority_++;
        orders_.push_back(t);
        emit_level(t.market, t.side, t.price);
    }

    RejectReason place(Sequence seq, const PlaceOrder& p) {
        const OrderId id = seq;
        if (auto r = check(p); r != RejectReason::None) return reject(id, p.account, r);
        if (const auto first = find_client(p.account, p.client_order_id)) {
            return reject(*first, p.account, RejectReason::DuplicateClientOrderId);
        }
        const auto& m = catalog_.markets[p.market];
        const Side opp = p.side == Side::Buy ? Side::Sell : Side::Buy;
        const auto best = best_price(p.market, opp);
        if (p.type == OrderType::Market && !best) {
            return reject(id, p.account, RejectReason::NoLiquidity);
        }
        if (p.post_only && best && reaches(p.side, p.price, *best)) {
            return reject(id, p.account, RejectReason::PostOnlyWouldCross);
        }
        if (find(id) != nullptr || find_closed(id) != nullptr) {
            return reject(id, p.account, RejectReason::DuplicateOrderId);
        }
        Amount hold = 0;
        AssetId asset = m.base;
        if (p.side == Side::Sell) {
            hold = p.quantity * m.base_multiplier;
        } else if (p.type != OrderType::Market) {
            asset = m.quote;
            hold = cost_with_taker_fee(m, p.type == OrderType::StopMarket ? p.stop_price : p.price,
                                       p.quantity);
        } else if (balance(p.account, m.quote).available <
                   cost_with_taker_fee(m, *best, m.lot_size)) {
            return reject(id, p.account, RejectReason::InsufficientBalance);
        }
        if (hold > 0) {
            if (balance(p.account, asset).available < hold) {
                return reject(id, p.account, RejectReason::InsufficientBalance);
            }
            bal(p.account, asset).available -= hold;
            bal(p.account, asset).held += hold;
        }
        const TimeInForce tif =
            !has_limit_price(p.type) && p.tif == TimeInForce::GTC ? TimeInForce::IOC : p.tif;
        emit(OrderAccepted{id, p.account, p.market, p.side, p.type, tif, p.post_only, p.price,
                           p.quantity});
        RefOrder t{id,   p.account,   p.market,          p.side,      p.type,
                   tif,  p.post_only, p.price,           p.quantity,  0,
                   hold, 0,           p.client_order_id, p.stop_price};
        if (!is_stop(p.type)) {
            execute(t);
        } else if (last_price(p.market) != 0 && reached(t, last_price(p.market))) {
            activate(t);
        } else {
            stops_.push_back(t);
        }
        return RejectReason::None;
    }

    void execute(RefOrder t) {
        Stop stop = Stop::NotCrossing;
        if (t.tif != TimeInForce::FOK || fok_possible(t)) stop = match(t);
        if (t.remaining() == 0) {
            finish(t);
        } else if (t.tif == TimeInForce::GTC) {
            rest(t);
        } else {
            emit(OrderCancelled{t.id, t.account, t.market, t.remaining(),
                                stop == Stop::OutOfFunds ? CancelReason::InsufficientBalance
                                                         : CancelReason::Unfilled});
            finish(t);
        }
    }

    static bool reached(const RefOrder& o, Price last) {
        return o.side == Side::Buy ? last >= o.stop_price : last <= o.stop_price;
    }

    void activate(RefOrder t) {
        emit(StopTriggered{t.id, t.account, t.market, t.stop_price, last_price(t.market)});
        if (t.type == OrderType::StopMarket && t.side == Side::Buy) {
            const AssetId quote = catalog_.markets[t.market].quote;
            bal(t.account, quote).held -= t.held;
            bal(t.account, quote).available += t.held;
            t.held = 0;
        }
        execute(t);
    }

    // Triggers, one at a time, the waiting order the last price reaches: per side the stop it
    // crossed first, the older at equal stops; between a buy and a sell, the older.
    void run_triggers(MarketId market) {
        for (;;) {
            const Price last = last_price(market);
            const RefOrder* next = nullptr;
            for (const auto& o : stops_) {
                if (o.market != market || !reached(o, last)) continue;
                if (next == nullptr) {
                    next = &o;
                    continue;
                }
                const bool earlier =
                    o.side == next->side
                        ? (o.stop_price != next->stop_price
                               ? (o.side == Side::Buy ? o.stop_price < next->stop_price
                                                      : o.stop_price > next->stop_price)
                               : o.id < next->id)
                        : o.id < next->id;
                if (earlier) next = &o;
            }
            if (next == nullptr) return;
            const RefOrder t = *next;
            stops_.erase(stops_.begin() + (next - stops_.data()));
            activate(t);
        }
    }

    RejectReason find_own(AccountId account, OrderId id, RefOrder*& order) {
        if ((order = find(id)) != nullptr || (order = find_stop(id)) != nullptr) {
            return order->account == account ? RejectReason::None : RejectReason::NotOwner;
        }
        if (const auto* closed = find_closed(id)) {
            return closed->account == account ? RejectReason::OrderClosed : RejectReason::NotOwner;
        }
        return RejectReason::UnknownOrder;
    }

    RejectReason cancel(const CancelOrder& c) {
        RefOrder* found = nullptr;
        if (auto r = find_own(c.account, c.order_id, found); r != RejectReason::None) {
            return reject(c.order_id, c.account, r);
        }
        const RefOrder o = *found;
        if (find_stop(o.id) != nullptr) {
            stops_.erase(stops_.begin() + (found - stops_.data()));
            emit(OrderCancelled{o.id, o.account, o.market, o.remaining(), CancelReason::Requested});
            finish(o);
            return RejectReason::None;
        }
        erase(o.id);
        emit(OrderCancelled{o.id, o.account, o.market, o.remaining(), CancelReason::Requested});
        emit_level(o.market, o.side, o.price);
        finish(o);
        return RejectReason::None;
    }

    RejectReason amend(const AmendOrder& a) {
        RefOrder* found = nullptr;
        if (auto r = find_own(a.account, a.order_id, found); r != RejectReason::None) {
            return reject(a.order_id, a.account, r);
        }
        RefOrder o = *found;
        const auto& m = catalog_.markets[o.market];
        if (find_stop(o.id) != nullptr) {
            return reject(o.id, o.account, RejectReason::InvalidOrderType);
        }
        if (a.new_price == 0 && a.new_quantity == 0) {
            return reject(o.id, o.account, RejectReason::InvalidQuantity);
        }
        if (halted(o.market)) return reject(o.id, o.account, RejectReason::MarketHalted);
        const Price price = a.new_price != 0 ? a.new_price : o.price;
        const Quantity quantity = a.new_quantity != 0 ? a.new_quantity : o.quantity;
        if (a.new_quantity != 0) {
            if (auto r = check_quantity(m, quantity); r != RejectReason::None) {
                return reject(o.id, o.account, r);
            }
            if (quantity <= o.filled) return reject(o.id, o.account, RejectReason::InvalidQuantity);
        }
        const Side opp = o.side == Side::Buy ? Side::Sell : Side::Buy;
        if (price != o.price) {
            if (auto r = check_price(m, price); r != RejectReason::None) {
                return reject(o.id, o.account, r);
            }
            if (auto r = check_band(o.market, price); r != RejectReason::None) {
                return reject(o.id, o.account, r);
            }
            const auto best = best_price(o.market, opp);
            if (o.post_only && best && reaches(o.side, price, *best)) {
                return reject(o.id, o.account, RejectReason::PostOnlyWouldCross);
            }
        }
        if (price == o.price && quantity == o.quantity) return RejectReason::None;
        const Quantity remaining = quantity - o.filled;
        const AssetId asset = o.side == Side::Buy ? m.quote : m.base;
        const Amount needed = o.side == Side::Buy ? cost_with_taker_fee(m, price, remaining)
                                                  : remaining * m.base_multiplier;
        Balance& b = bal(o.account, asset);
        if (needed > o.held && b.available < needed - o.held) {
            return reject(o.id, o.account, RejectReason::InsufficientBalance);
        }
        b.available -= needed - o.held;
        b.held += needed - o.held;
        o.held = needed;
        if (quantity != o.quantity) {
            emit(OrderResized{o.id, o.account, o.market, o.quantity, quantity, remaining});
        }
        if (price == o.price && quantity < o.quantity) {
            o.quantity = quantity;
            *found = o;  // keeps its priority
            emit_level(o.market, o.side, o.price);
            return RejectReason::None;
        }
        erase(o.id);
        o.quantity = quantity;
        if (price != o.price) {
            emit(OrderMoved{o.id, o.account, o.market, o.price, price, remaining});
        }
        emit_level(o.market, o.side, o.price);
        o.price = price;
        match(o);
        if (o.remaining() == 0) {
            finish(o);
        } else {
            rest(o);
        }
        return RejectReason::None;
    }

    RejectReason cancel_all(const CancelAllOrders& c) {
        if (c.market != kAllMarkets && c.market >= catalog_.markets.size()) {
            return reject(0, c.account, RejectReason::UnknownMarket);
        }
        if (c.account >= max_accounts_) return reject(0, c.account, RejectReason::InvalidAccount);
        std::vector<OrderId> ids;
        for (const auto* orders : {&orders_, &stops_}) {
            for (const auto& o : *orders) {
                if (o.account == c.account && (c.market == kAllMarkets || o.market == c.market)) {
                    ids.push_back(o.id);
                }
            }
        }
        std::sort(ids.begin(), ids.end());
        for (const OrderId id : ids) cancel(CancelOrder{c.account, id});
        return RejectReason::None;
    }

    RejectReason set_halted(const SetMarketHalted& h) {
        if (h.market >= catalog_.markets.size()) return reject(0, 0, RejectReason::UnknownMarket);
        if (halted(h.market) != h.halted) {
            if (h.halted) {
                halted_.insert(h.market);
            } else {
                halted_.erase(h.market);
            }
            emit(MarketHaltChanged{h.market, h.halted});
        }
        return RejectReason::None;
    }

    RejectReason deposit(const Deposit& d) {
        if (d.asset >= catalog_.assets.size())
            return reject(0, d.account, RejectReason::UnknownAsset);
        if (d.account >= max_accounts_) return reject(0, d.account, RejectReason::InvalidAccount);
        if (d.amount <= 0) return reject(0, d.account, RejectReason::InvalidAmount);
        if (d.amount > std::numeric_limits<Amount>::max() - totals_[d.asset]) {
            return reject(0, d.account, RejectReason::BalanceOverflow);
        }
        totals_[d.asset] += d.amount;
        bal(d.account, d.asset).available += d.amount;
        emit(FundsDeposited{d.account, d.asset, d.amount});
        return RejectReason::None;
    }

    RejectReason withdraw(const Withdraw& w) {
        if (w.asset >= catalog_.assets.size())
            return reject(0, w.account, RejectReason::UnknownAsset);
        if (w.account >= max_accounts_) return reject(0, w.account, RejectReason::InvalidAccount);
        if (w.amount <= 0) return reject(0, w.account, RejectReason::InvalidAmount);
        if (balance(w.account, w.asset).available < w.amount) {
            return reject(0, w.account, RejectReason::InsufficientBalance);
        }
        totals_[w.asset] -= w.amount;
        bal(w.account, w.asset).available -= w.amount;
        emit(FundsWithdrawn{w.account, w.asset, w.amount});
        return RejectReason::None;
    }

    MarketCatalog catalog_;
    std::size_t max_accounts_;
    std::size_t closed_memory_;
    std::vector<Amount> totals_;
    std::map<MarketId, std::uint64_t> book_versions_;
    std::map<MarketId, Price> last_price_;
    std::set<MarketId> halted_;
    std::map<std::pair<AccountId, AssetId>, Balance> balances_;
    std::vector<RefOrder> orders_;
    std::vector<RefOrder> stops_;
    MarketId last_trade_market_ = 0;
    std::deque<ClosedEntry> closed_;
    ExecId next_exec_ = 1;
    std::uint64_t next_priority_ = 1;
    std::vector<Event>* out_ = nullptr;
};

}  // namespace xtrader::testing
