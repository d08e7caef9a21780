#include "xtrader/surveillance/detectors.hpp"

#include <algorithm>

#include "xtrader/core/decimal.hpp"

namespace xtrader::surveillance {

std::string_view to_string(AlertKind kind) noexcept {
    switch (kind) {
        case AlertKind::LargeTrade: return "large_trade";
        case AlertKind::Whale: return "whale";
        case AlertKind::WhaleOrder: return "whale_order";
        case AlertKind::WashTrade: return "wash_trade";
        case AlertKind::WashRing: return "wash_ring";
        case AlertKind::Spoofing: return "spoofing";
        case AlertKind::PriceDeviation: return "price_deviation";
        case AlertKind::Arbitrage: return "arbitrage";
    }
    return "unknown";
}

std::string_view to_string(Severity severity) noexcept {
    switch (severity) {
        case Severity::Info: return "info";
        case Severity::Warning: return "warning";
        case Severity::Critical: return "critical";
    }
    return "unknown";
}

std::optional<AlertKind> parse_alert_kind(std::string_view text) noexcept {
    for (const auto kind : {AlertKind::LargeTrade, AlertKind::Whale, AlertKind::WhaleOrder,
                            AlertKind::WashTrade, AlertKind::WashRing, AlertKind::Spoofing,
                            AlertKind::PriceDeviation, AlertKind::Arbitrage}) {
        if (to_string(kind) == text) return kind;
    }
    return std::nullopt;
}

std::optional<Severity> parse_severity(std::string_view text) noexcept {
    for (const auto severity : {Severity::Info, Severity::Warning, Severity::Critical}) {
        if (to_string(severity) == text) return severity;
    }
    return std::nullopt;
}

namespace {

std::string quantity_text(const MarketCatalog& c, MarketId market, Quantity q) {
    const auto& m = c.markets[market];
    return format_decimal(q, m.qty_scale) + " " + c.assets[m.base].name;
}

std::string notional_text(const MarketCatalog& c, MarketId market, Amount a) {
    const auto& asset = c.assets[c.markets[market].quote];
    return format_decimal(a, asset.scale) + " " + asset.name;
}

std::string price_text(const MarketCatalog& c, MarketId market, Price p) {
    const auto& m = c.markets[market];
    return format_decimal(p, m.price_scale) + " " + c.assets[m.quote].name;
}

Alert alert_for(AlertKind kind, Severity severity, std::string id, MarketId market, Timestamp time,
                Sequence sequence) {
    Alert a;
    a.id = std::string(to_string(kind)) + ":" + std::move(id);
    a.kind = kind;
    a.severity = severity;
    a.market = market;
    a.time = time;
    a.sequence = sequence;
    return a;
}

std::vector<AccountId> both(AccountId a, AccountId b) {
    if (a == b) return {a};
    return {std::min(a, b), std::max(a, b)};
}

// An alert on one execution: both sides, the execution and its two orders as the evidence.
Alert execution_alert(AlertKind kind, Severity severity, const ExecutionEvent& e) {
    Alert a = alert_for(kind, severity, std::to_string(e.exec_id), e.market, e.time, e.sequence);
    a.accounts = both(e.buyer, e.seller);
    a.executions = {e.exec_id};
    a.orders = {e.buy_order, e.sell_order};
    a.execution = e;
    return a;
}

// a * ppm >= threshold_ppm * b, exactly.
bool share_reaches(std::int64_t a, std::int64_t b, std::uint32_t threshold_ppm) {
    return static_cast<Int128>(a) * kPpm >= static_cast<Int128>(threshold_ppm) * b;
}

}  // namespace

// ---- large trades ------------------------------------------------------------------------------

LargeTradeDetector::LargeTradeDetector(const MarketCatalog& catalog, std::vector<Amount> thresholds)
    : catalog_(catalog), thresholds_(std::move(thresholds)) {}

void LargeTradeDetector::on_execution(const ExecutionEvent& e, std::vector<Alert>& alerts) {
    if (e.market >= thresholds_.size()) return;
    const Amount threshold = thresholds_[e.market];
    if (threshold == 0 || e.notional < threshold) return;
    Alert a = execution_alert(AlertKind::LargeTrade, Severity::Warning, e);
    a.summary = "execution " + std::to_string(e.exec_id) + " of " +
                quantity_text(catalog_, e.market, e.quantity) + " at " +
                price_text(catalog_, e.market, e.price) + ": notional " +
                notional_text(catalog_, e.market, e.notional) + ", at or above " +
                notional_text(catalog_, e.market, threshold);
    alerts.push_back(std::move(a));
}

// ---- wash trades and rings ---------------------------------------------------------------------

WashTradeDetector::WashTradeDetector(const MarketCatalog& catalog, WashTradeOptions options)
    : catalog_(catalog), options_(std::move(options)), volumes_(catalog.markets.size()) {}

void WashTradeDetector::add_volume(Volume& v, AccountId account, Quantity quantity) {
    const auto it = v.by_account.find(account);
    if (it == v.by_account.end()) {
        v.by_account.emplace(account, quantity);
    } else if ((it->second += quantity) == 0) {
        v.by_account.erase(it);
    }
}

bool WashTradeDetector::same_owner(AccountId a, AccountId b) const {
    if (a == b) return true;
    const auto x = options_.owner.find(a);
    const auto y = options_.owner.find(b);
    return x != options_.owner.end() && y != options_.owner.end() && x->second == y->second;
}

void WashTradeDetector::on_execution(const ExecutionEvent& e, std::vector<Alert>& alerts) {
    if (same_owner(e.buyer, e.seller)) {
        Alert a = execution_alert(AlertKind::WashTrade, Severity::Critical, e);
        a.summary = "execution " + std::to_string(e.exec_id) + " of " +
                    quantity_text(catalog_, e.market, e.quantity) + " between accounts " +
                    std::to_string(e.buyer) + " and " + std::to_string(e.seller) + " of one owner";
        alerts.push_back(std::move(a));
        return;
    }
    if (e.market >= volumes_.size()) return;
    Volume& v = volumes_[e.market];
    while (!v.trades.empty() && v.trades.front().time <= e.time - options_.ring_window) {
        const Traded& old = v.trades.front();
        add_volume(v, old.buyer, -old.quantity);
        add_volume(v, old.seller, -old.quantity);
        v.trades.pop_front();
    }
    v.trades.push_back({e.time, e.buyer, e.seller, e.quantity});
    add_volume(v, e.buyer, e.quantity);
    add_volume(v, e.seller, e.quantity);

    const AccountId low = std::min(e.buyer, e.seller);
    const AccountId high = std::max(e.buyer, e.seller);
    Pair& p = pairs_[{e.market, low, high}];
    while (!p.trades.empty() && p.trades.front().time <= e.time - options_.ring_window) {
        p.net -= p.trades.front().low_buys;
        p.gross -= std::abs(p.trades.front().low_buys);
        p.trades.pop_front();
    }
    const Quantity low_buys = e.buyer == low ? e.quantity : -e.quantity;
    p.trades.push_back({e.time, e.exec_id, low_buys});
    p.net += low_buys;
    p.gross += e.quantity;
    const auto mostly_each_other = [&] {
        return share_reaches(p.gross, v.by_account[low], options_.ring_share_ppm) &&
               share_reaches(p.gross, v.by_account[high], options_.ring_share_ppm);
    };
    if (p.trades.size() >= options_.ring_trades &&
        static_cast<Int128>(std::abs(p.net)) * kPpm <=
            static_cast<Int128>(options_.ring_net_ppm) * p.gross &&
        mostly_each_other()) {
        // One alert per pair and window-long period: the id is the same whatever the detector
        // saw before the ring (a restarted one, say), so the store keeps the ring once.
        Alert a = alert_for(AlertKind::WashRing, Severity::Warning,
                            std::to_string(e.market) + ":" + std::to_string(low) + "-" +
                                std::to_string(high) + ":" +
                                std::to_string(e.time / options_.ring_window),
                            e.market, e.time, e.sequence);
        a.accounts = {low, high};
        for (const auto& t : p.trades) a.executions.push_back(t.exec_id);
        a.summary = "accounts " + std::to_string(low) + " and " + std::to_string(high) +
                    " traded " + std::to_string(p.trades.size()) + " times (" +
                    quantity_text(catalog_, e.market, p.gross) + ") with each other; account " +
                    std::to_string(low) + "'s position moved " +
                    quantity_text(catalog_, e.market, p.net);
        alerts.push_back(std::move(a));
        p = Pair{};  // the next ring needs executions of its own
    }
    // Pairs that stopped trading go, so that the map stays as large as the window's pairs.
    if (++executions_ % kSweepEvery == 0) {
        std::erase_if(pairs_, [&](const auto& entry) {
            const auto& trades = entry.second.trades;
            return trades.empty() || trades.back().time <= e.time - options_.ring_window;
        });
    }
}

// ---- whales ------------------------------------------------------------------------------------

void SlidingMedian::add(Quantity value) {
    window_.push_back(value);
    if (low_.empty() || value <= *low_.rbegin()) {
        low_.insert(value);
    } else {
        high_.insert(value);
    }
    if (window_.size() > n_) {
        const Quantity old = window_.front();
        window_.pop_front();
        // Every value in low_ is at most every value in high_: a value up to low_'s largest
        // has a copy in low_.
        if (old <= *low_.rbegin()) {
            low_.erase(low_.find(old));
        } else {
            high_.erase(high_.find(old));
        }
    }
    balance();
}

void SlidingMedian::balance() {
    while (low_.size() > high_.size() + 1) {
        high_.insert(*low_.rbegin());
        low_.erase(std::prev(low_.end()));
    }
    while (high_.size() > low_.size()) {
        low_.insert(*high_.begin());
        high_.erase(high_.begin());
    }
}

Quantity SlidingMedian::median() const {
    return low_.empty() ? 0 : *low_.rbegin();
}

WhaleDetector::WhaleDetector(const MarketCatalog& catalog, WhaleOptions options)
    : catalog_(catalog),
      options_(std::move(options)),
      windows_(catalog.markets.size()),
      orders_(catalog.markets.size(), SlidingMedian(options_.median_orders)) {}

void WhaleDetector::add_share(Window& w, AccountId account, Amount notional) {
    const auto it = w.by_account.find(account);
    if (it == w.by_account.end()) {
        w.by_account.emplace(account, notional);
    } else if ((it->second += notional) == 0) {
        w.by_account.erase(it);
    }
}

void WhaleDetector::on_execution(const ExecutionEvent& e, std::vector<Alert>& alerts) {
    if (e.market >= windows_.size()) return;
    Window& w = windows_[e.market];
    while (!w.trades.empty() && w.trades.front().time <= e.time - options_.window) {
        const auto& old = w.trades.front();
        w.total -= old.notional;
        add_share(w, old.buyer, -old.notional);
        add_share(w, old.seller, -old.notional);
        w.trades.pop_front();
    }
    w.trades.push_back(e);
    w.total += e.notional;
    add_share(w, e.buyer, e.notional);
    add_share(w, e.seller, e.notional);
    const Amount floor =
        e.market < options_.min_market_notional.size() ? options_.min_market_notional[e.market] : 0;
    if (w.trades.size() < options_.min_trades || w.total < floor || w.total == 0) return;
    for (const AccountId account : both(e.buyer, e.seller)) {
        const Amount mine = w.by_account[account];
        if (!share_reaches(mine, w.total, options_.share_ppm)) continue;
        // Once per account, market and UTC day: an id a restarted detector raises again the
        // same, so the store keeps it once.
        const Timestamp day = e.time / kDay;
        const auto last = w.alerted.find(account);
        if (last != w.alerted.end() && last->second == day) continue;
        w.alerted[account] = day;
        Alert a = alert_for(
            AlertKind::Whale, Severity::Info,
            std::to_string(e.market) + ":" + std::to_string(account) + ":" + std::to_string(day),
            e.market, e.time, e.sequence);
        a.accounts = {account};
        a.executions = {e.exec_id};
        const auto share_ppm =
            static_cast<std::int64_t>(static_cast<Int128>(mine) * kPpm / w.total);
        a.summary = "account " + std::to_string(account) + " took part in " +
                    notional_text(catalog_, e.market, mine) + " of the market's " +
                    notional_text(catalog_, e.market, w.total) + " traded in the window (" +
                    format_decimal(share_ppm / 100, 2) + " %)";
        alerts.push_back(std::move(a));
    }
    // Accounts alerted on an earlier day may be alerted again; forget them.
    std::erase_if(w.alerted, [&](const auto& entry) { return entry.second != e.time / kDay; });
}

void WhaleDetector::on_order(const OrderEvent& e, std::vector<Alert>& alerts) {
    if (e.change != OrderChange::Placed || e.market >= orders_.size()) return;
    SlidingMedian& recent = orders_[e.market];
    const Quantity median = recent.median();
    if (recent.size() >= options_.min_orders && median > 0 &&
        static_cast<Int128>(e.quantity) >= static_cast<Int128>(median) * options_.order_multiple) {
        Alert a = alert_for(AlertKind::WhaleOrder, Severity::Info, std::to_string(e.order),
                            e.market, e.time, e.sequence);
        a.accounts = {e.account};
        a.orders = {e.order};
        a.summary = "order " + std::to_string(e.order) + " of account " +
                    std::to_string(e.account) + " for " +
                    quantity_text(catalog_, e.market, e.quantity) + ", " +
                    std::to_string(static_cast<std::int64_t>(e.quantity / median)) +
                    " times the median order (" + quantity_text(catalog_, e.market, median) + ")";
        alerts.push_back(std::move(a));
    }
    // After the check: a whale's order does not move its own baseline first.
    recent.add(e.quantity);
}

// ---- spoofing ----------------------------------------------------------------------------------

SpoofingDetector::SpoofingDetector(const MarketCatalog& catalog, SpoofingOptions options)
    : catalog_(catalog), options_(std::move(options)), markets_(catalog.markets.size()) {}

void SpoofingDetector::on_touch(const TouchEvent& e, std::vector<Alert>&) {
    if (e.market < markets_.size()) markets_[e.market] = e;
}

bool SpoofingDetector::large_near_touch(const Market& m, const MarketSpec& spec,
                                        const OrderEvent& e) const {
    const bool buy = e.side == Side::Buy;
    const Quantity average = buy ? m.bid_average : m.ask_average;
    const Price best = buy ? m.best_bid : m.best_ask;
    // An empty side has no size to compare with.
    if (e.price == 0 || average == 0 || best == 0) return false;
    if (static_cast<Int128>(e.quantity) < static_cast<Int128>(average) * options_.size_multiple) {
        return false;
    }
    const Price reach = spec.tick_size * options_.touch_ticks;
    return buy ? e.price >= best - reach : e.price <= best + reach;
}

void SpoofingDetector::expire(Trader& t, Timestamp now) const {
    while (!t.orders.empty() && t.orders.front().placed <= now - options_.window) {
        t.orders.pop_front();
    }
    while (!t.executions.empty() && t.executions.front().time <= now - options_.window) {
        t.executions.pop_front();
    }
}

void SpoofingDetector::on_order(const OrderEvent& e, std::vector<Alert>& alerts) {
    if (e.market >= markets_.size()) return;
    Market& m = markets_[e.market];
    const auto key = std::make_pair(e.market, e.account);
    if (e.change == OrderChange::Placed) {
        if (!large_near_touch(m, catalog_.markets[e.market], e)) return;
        Trader& t = traders_[key];
        expire(t, e.time);
        t.orders.push_back({e.order, e.time, e.side});
        return;
    }
    const auto it = traders_.find(key);
    if (it == traders_.end()) return;
    Trader& t = it->second;
    const auto order = std::find_if(t.orders.begin(), t.orders.end(),
                                    [&](const LargeOrder& o) { return o.order == e.order; });
    if (order == t.orders.end()) return;
    if (e.filled != 0 || e.change == OrderChange::Filled) order->filled = true;
    if (e.change != OrderChange::Cancelled) return;
    order->cancelled_fast = !order->filled && e.time - order->placed <= options_.cancel_within;
    const Side side = order->side;
    expire(t, e.time);
    check(e.market, e.account, t, side, e.time, e.sequence, alerts);
    if (t.orders.empty() && t.executions.empty()) traders_.erase(it);
}

void SpoofingDetector::on_execution(const ExecutionEvent& e, std::vector<Alert>& alerts) {
    for (const auto& [account, side] : {std::pair{e.buyer, Side::Buy}, {e.seller, Side::Sell}}) {
        const auto it = traders_.find({e.market, account});
        if (it == traders_.end()) continue;  // no large order of its own: nothing to weigh
        Trader& t = it->second;
        expire(t, e.time);
        t.executions.push_back({e.time, e.exec_id, side});
        for (auto& o : t.orders) {
            if (o.order == e.buy_order || o.order == e.sell_order) o.filled = true;
        }
        check(e.market, account, t, opposite(side), e.time, e.sequence, alerts);
    }
}

void SpoofingDetector::check(MarketId market, AccountId account, Trader& t, Side side,
                             Timestamp time, Sequence sequence, std::vector<Alert>& alerts) {
    std::vector<OrderId> large;
    std::size_t fast = 0;
    for (const auto& o : t.orders) {
        if (o.side != side) continue;
        large.push_back(o.order);
        if (o.cancelled_fast) ++fast;
    }
    if (large.size() < options_.min_orders ||
        !share_reaches(static_cast<std::int64_t>(fast), static_cast<std::int64_t>(large.size()),
                       options_.cancelled_ppm)) {
        return;
    }
    std::vector<ExecId> other;
    for (const auto& x : t.executions) {
        if (x.side == opposite(side)) other.push_back(x.exec_id);
    }
    if (other.empty()) return;
    // One alert per account, side and window-long period: stable across a restart.
    Alert a =
        alert_for(AlertKind::Spoofing, Severity::Critical,
                  std::to_string(market) + ":" + std::to_string(account) + ":" +
                      std::string(to_string(side)) + ":" + std::to_string(time / options_.window),
                  market, time, sequence);
    a.accounts = {account};
    a.orders = large;
    a.executions = other;
    a.summary = "account " + std::to_string(account) + " placed " + std::to_string(large.size()) +
                " large " + std::string(to_string(side)) + " orders near the touch, cancelled " +
                std::to_string(fast) + " of them unfilled within " +
                std::to_string(options_.cancel_within / kNanosPerMilli) + " ms, and traded " +
                std::to_string(other.size()) + " times on the other side";
    alerts.push_back(std::move(a));
    // The next alert needs orders of its own.
    std::erase_if(t.orders, [&](const LargeOrder& o) { return o.side == side; });
}

}  // namespace xtrader::surveillance

namespace xtrader::surveillance {

// ---- other venues ------------------------------------------------------------------------------

VenueDetector::VenueDetector(const MarketCatalog& catalog, VenueOptions options)
    : catalog_(catalog),
      options_(std::move(options)),
      ours_(catalog.markets.size()),
      pairs_(options_.venues.size() * catalog.markets.size()) {}

VenueDetector::Pair& VenueDetector::pair(std::uint32_t venue, MarketId market) {
    return pairs_[venue * catalog_.markets.size() + market];
}

void VenueDetector::on_execution(const ExecutionEvent& e, std::vector<Alert>&) {
    if (e.market < ours_.size()) ours_[e.market].last = e.price;
}

void VenueDetector::on_touch(const TouchEvent& e, std::vector<Alert>&) {
    if (e.market >= ours_.size()) return;
    ours_[e.market].bid = e.best_bid;
    ours_[e.market].ask = e.best_ask;
}

void VenueDetector::forget(std::uint32_t venue) {
    if (venue >= options_.venues.size()) return;
    for (MarketId m = 0; m < catalog_.markets.size(); ++m) pair(venue, m) = Pair{};
}

std::optional<std::int64_t> VenueDetector::deviation_bps(std::uint32_t venue,
                                                         MarketId market) const {
    if (venue >= options_.venues.size() || market >= catalog_.markets.size()) return std::nullopt;
    return pairs_[venue * catalog_.markets.size() + market].deviation_bps;
}

void VenueDetector::on_reference(const ReferencePrice& r, std::vector<Alert>& alerts) {
    if (r.venue >= options_.venues.size() || r.market >= ours_.size()) return;
    const Ours& ours = ours_[r.market];
    Pair& p = pair(r.venue, r.market);
    const std::string& venue = options_.venues[r.venue];
    const auto mid = [](Price bid, Price ask) {
        return bid != 0 && ask != 0 ? (bid + ask) / 2 : 0;
    };
    const Price mine = ours.last != 0 ? ours.last : mid(ours.bid, ours.ask);
    const Price theirs = r.last != 0 ? r.last : mid(r.bid, r.ask);

    if (mine != 0 && theirs != 0) {
        const auto bps =
            static_cast<std::int64_t>(static_cast<Int128>(mine - theirs) * 10'000 / theirs);
        p.deviation_bps = bps;
        if (static_cast<std::uint64_t>(std::abs(bps)) <= options_.deviation_bps) {
            p.deviating_since = 0;
            p.deviation_alerted = false;
        } else {
            if (p.deviating_since == 0) p.deviating_since = r.time;
            if (!p.deviation_alerted && r.time - p.deviating_since >= options_.deviation_for) {
                p.deviation_alerted = true;
                Alert a = alert_for(AlertKind::PriceDeviation, Severity::Warning,
                                    venue + ":" + std::to_string(r.market) + ":" +
                                        std::to_string(p.deviating_since),
                                    r.market, r.time, 0);
                a.summary = "our price " + price_text(catalog_, r.market, mine) + " is " +
                            format_decimal(bps, 2) + " % from " + venue + "'s " +
                            price_text(catalog_, r.market, theirs) + " since " +
                            std::to_string((r.time - p.deviating_since) / kSecond) + " s";
                alerts.push_back(std::move(a));
            }
        }
    }

    // Buying here and selling there (or the reverse) gains more than both venues' fees.
    const std::uint64_t fees_ppm =
        std::uint64_t{catalog_.markets[r.market].taker_fee_ppm} + options_.venue_fee_ppm[r.venue];
    const auto beyond_fees = [&](Price low, Price high) {
        // high * (1 - fees) > low * (1 + fees), exactly.
        return low != 0 && high != 0 &&
               static_cast<Int128>(high) * (kPpm - static_cast<Int128>(fees_ppm)) >
                   static_cast<Int128>(low) * (kPpm + static_cast<Int128>(fees_ppm));
    };
    const bool buy_here = beyond_fees(ours.ask, r.bid);
    const bool sell_here = beyond_fees(r.ask, ours.bid);
    const int direction = buy_here ? 1 : sell_here ? -1 : 0;
    if (direction != p.arbitrage && (p.arbitrage = direction) != 0) {
        Alert a = alert_for(AlertKind::Arbitrage, Severity::Warning,
                            venue + ":" + std::to_string(r.market) + ":" + std::to_string(r.time),
                            r.market, r.time, 0);
        a.summary =
            buy_here
                ? "our best ask " + price_text(catalog_, r.market, ours.ask) + " is under " +
                      venue + "'s bid " + price_text(catalog_, r.market, r.bid) + " beyond the fees"
                : "our best bid " + price_text(catalog_, r.market, ours.bid) + " is over " + venue +
                      "'s ask " + price_text(catalog_, r.market, r.ask) + " beyond the fees";
        alerts.push_back(std::move(a));
    }
}

}  // namespace xtrader::surveillance
