#include "xtrader/consumers/market_data.hpp"

#include <algorithm>
#include <mutex>

namespace xtrader {

namespace {

constexpr Timestamp kDay = 1440 * kMinute;
constexpr Timestamp kWeekOffset = 4 * kDay;  // 1970-01-01 was a Thursday; weeks start Mondays

Timestamp floor_to(Timestamp t, Timestamp length, Timestamp offset) noexcept {
    const Timestamp shifted = t - offset;
    Timestamp q = shifted / length;
    if (shifted % length < 0) --q;
    return q * length + offset;
}

}  // namespace

std::optional<CandleInterval> parse_interval(std::string_view name) noexcept {
    for (const auto& s : kIntervals) {
        if (s.name == name) return s.interval;
    }
    return std::nullopt;
}

const IntervalSpec& spec(CandleInterval interval) noexcept {
    return kIntervals[static_cast<std::size_t>(interval)];
}

Timestamp interval_start(CandleInterval interval, Timestamp t) noexcept {
    const auto& s = spec(interval);
    return floor_to(t, s.length, interval == CandleInterval::W1 ? kWeekOffset : 0);
}

struct MarketData::Market {
    mutable std::shared_mutex mutex;
    std::array<std::deque<Candle>, kIntervals.size()> candles;  // oldest first
    std::deque<PublicTrade> trades;                             // newest first
    std::map<Price, BookLevelView, std::greater<>> bids;
    std::map<Price, BookLevelView> asks;
    Sequence book_sequence = 0;
    std::uint64_t book_version = 0;
    ExecId last_exec_id = 0;  // exec ids rise with the sequence: what is at or below came before
    Price last = 0;
};

MarketData::MarketData(const MarketCatalog& catalog) : catalog_(catalog) {
    for (std::size_t i = 0; i < catalog_.markets.size(); ++i) {
        markets_.push_back(std::make_unique<Market>());
    }
}

MarketData::~MarketData() = default;

// Adds a trade to every interval's candles. A trade in a later interval than the last candle
// starts a new one, after flat candles (open = high = low = close = the last close, no volume)
// for the intervals without trades, so that a chart has no holes.
void MarketData::add_trade(Market& m, const PublicTrade& trade) {
    for (const auto& s : kIntervals) {
        auto& series = m.candles[static_cast<std::size_t>(s.interval)];
        const Timestamp start = interval_start(s.interval, trade.time);
        if (!series.empty() && series.back().open_time >= start) {
            Candle& c = series.back();  // the running candle (time never goes back)
            c.high = std::max(c.high, trade.price);
            c.low = std::min(c.low, trade.price);
            c.close = trade.price;
            c.volume += trade.quantity;
            ++c.trade_count;
            continue;
        }
        if (!series.empty()) {
            const Price flat = series.back().close;
            Timestamp gap = series.back().open_time + s.length;
            if (start - gap > static_cast<Timestamp>(s.keep) * s.length) {
                gap = start - static_cast<Timestamp>(s.keep) * s.length;
            }
            for (; gap < start; gap += s.length) {
                series.push_back({gap, gap + s.length - 1, flat, flat, flat, flat, 0, 0});
            }
        }
        series.push_back({start, start + s.length - 1, trade.price, trade.price, trade.price,
                          trade.price, trade.quantity, 1});
        while (series.size() > s.keep) series.pop_front();
    }
    m.trades.push_front(trade);
    if (m.trades.size() > kTradesKept) m.trades.pop_back();
    m.last = trade.price;
    m.last_exec_id = std::max(m.last_exec_id, trade.exec_id);
}

void MarketData::load_trades(std::span<const ExecutionRecord> trades) {
    std::vector<const ExecutionRecord*> ordered;
    for (const auto& e : trades) {
        if (!e.is_maker && e.market < markets_.size()) ordered.push_back(&e);
    }
    std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
        return a->sequence != b->sequence ? a->sequence < b->sequence : a->exec_id < b->exec_id;
    });
    for (const auto* e : ordered) {
        Market& m = *markets_[e->market];
        std::unique_lock lock(m.mutex);
        add_trade(m, {e->exec_id, e->price, e->quantity, e->side, e->time, e->sequence});
    }
}

void MarketData::load_book(const MatchingEngine& engine, Sequence sequence) {
    for (MarketId id = 0; id < markets_.size(); ++id) {
        Market& m = *markets_[id];
        std::unique_lock lock(m.mutex);
        m.bids.clear();
        m.asks.clear();
        for (Side side : {Side::Buy, Side::Sell}) {
            engine.book(id).for_each_level(side, [&](const PriceLevel& level) {
                const BookLevelView view{level.price, level.volume, level.order_count};
                if (side == Side::Buy) {
                    m.bids.emplace(level.price, view);
                } else {
                    m.asks.emplace(level.price, view);
                }
                return true;
            });
        }
        m.book_sequence = sequence;
        m.book_version = engine.book_version(id);
    }
    position_.store(sequence, std::memory_order_release);
}

void MarketData::consume(std::span<const JournalRecord> records) {
    std::vector<PublicTrade> trades;
    std::vector<BookDelta> deltas;
    for (const auto& record : records) {
        // Events of one command touch one market (a place, a cancel or a move).
        std::optional<MarketId> market;
        std::uint64_t version = 0;
        trades.clear();
        deltas.clear();
        for (const auto& event : record.events) {
            if (const auto* t = std::get_if<Trade>(&event)) {
                market = t->market;
                trades.push_back({t->exec_id, t->price, t->quantity, t->taker_side,
                                  record.timestamp, record.sequence});
            } else if (const auto* l = std::get_if<BookLevelChanged>(&event)) {
                market = l->market;
                deltas.push_back({l->side, l->price, l->volume, l->order_count});
            } else if (const auto* v = std::get_if<BookVersion>(&event)) {
                version = v->version;
            }
        }
        if (market) apply(*market, record.sequence, record.timestamp, trades, deltas, version);
        position_.store(record.sequence, std::memory_order_release);
    }
}

MarketData::Applied MarketData::apply(MarketId market, Sequence sequence, Timestamp time,
                                      std::span<const PublicTrade> trades,
                                      std::span<const BookDelta> book, std::uint64_t book_version) {
    if (market >= markets_.size() || (trades.empty() && book.empty())) return {};
    Market& m = *markets_[market];
    std::uint64_t version = 0;
    bool book_changed = false;
    {
        std::unique_lock lock(m.mutex);
        // What was applied before (a replay, or history loaded at start) is dropped here.
        const auto first_new = std::find_if(trades.begin(), trades.end(), [&](const auto& t) {
            return t.exec_id > m.last_exec_id;
        });
        trades = trades.subspan(static_cast<std::size_t>(first_new - trades.begin()));
        for (const auto& t : trades) add_trade(m, t);
        if (!book.empty() && sequence > m.book_sequence) {
            book_changed = true;
            for (const auto& d : book) {
                const BookLevelView view{d.price, d.volume, d.order_count};
                if (d.side == Side::Buy) {
                    if (d.volume == 0) {
                        m.bids.erase(d.price);
                    } else {
                        m.bids[d.price] = view;
                    }
                } else if (d.volume == 0) {
                    m.asks.erase(d.price);
                } else {
                    m.asks[d.price] = view;
                }
            }
            m.book_sequence = sequence;
            m.book_version = book_version != 0 ? book_version : m.book_version + 1;
        }
        version = m.book_version;
    }
    if (trades.empty() && !book_changed) {
        duplicates_.fetch_add(1, std::memory_order_relaxed);
        return {};
    }
    if (!book_changed) book = {};
    if (listener_ != nullptr) {
        listener_->on_market_update(market, sequence, time, trades, book, version);
    }
    return {trades.size(), book_changed};
}

std::vector<Candle> MarketData::candles(MarketId market, CandleInterval interval, std::size_t limit,
                                        std::optional<Timestamp> start,
                                        std::optional<Timestamp> end) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    const auto& series = m.candles[static_cast<std::size_t>(interval)];
    std::vector<Candle> out;
    // The newest `limit` candles within [start, end], oldest first.
    for (auto it = series.rbegin(); it != series.rend() && out.size() < limit; ++it) {
        if (end && it->open_time > *end) continue;
        if (start && it->open_time < *start) break;
        out.push_back(*it);
    }
    std::reverse(out.begin(), out.end());
    return out;
}

std::optional<Candle> MarketData::candle_at(MarketId market, CandleInterval interval,
                                            Timestamp time) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    const auto& series = m.candles[static_cast<std::size_t>(interval)];
    const Timestamp start = interval_start(interval, time);
    if (series.empty() || series.back().open_time != start) return std::nullopt;
    return series.back();
}

MarketStatistics MarketData::statistics(MarketId market, Timestamp now) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    MarketStatistics s;
    s.last = s.open = s.high = s.low = m.last;
    const Timestamp from = now - 1440 * kMinute;
    for (const auto& c : m.candles[static_cast<std::size_t>(CandleInterval::M1)]) {
        if (c.close_time < from || c.open_time > now || c.trade_count == 0) continue;
        if (!s.traded) {
            s.traded = true;
            s.open = c.open;
            s.high = c.high;
            s.low = c.low;
        }
        s.high = std::max(s.high, c.high);
        s.low = std::min(s.low, c.low);
        s.volume += c.volume;
    }
    if (!m.bids.empty()) s.bid = m.bids.begin()->first;
    if (!m.asks.empty()) s.ask = m.asks.begin()->first;
    return s;
}

std::vector<PublicTrade> MarketData::trades(MarketId market, std::size_t limit) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    const std::size_t n = std::min(limit, m.trades.size());
    return {m.trades.begin(), m.trades.begin() + static_cast<std::ptrdiff_t>(n)};
}

BookView MarketData::book(MarketId market, std::size_t depth) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    BookView view;
    view.sequence = m.book_sequence;
    view.version = m.book_version;
    for (auto it = m.bids.begin(); it != m.bids.end() && view.bids.size() < depth; ++it) {
        view.bids.push_back(it->second);
    }
    for (auto it = m.asks.begin(); it != m.asks.end() && view.asks.size() < depth; ++it) {
        view.asks.push_back(it->second);
    }
    return view;
}

}  // namespace xtrader

namespace xtrader {

MarketSnapshot MarketData::snapshot(MarketId market) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    MarketSnapshot out;
    for (std::size_t i = 0; i < kIntervals.size(); ++i) {
        out.candles[i].assign(m.candles[i].begin(), m.candles[i].end());
    }
    out.trades.assign(m.trades.begin(), m.trades.end());
    for (const auto& [price, level] : m.bids) out.bids.push_back(level);
    for (const auto& [price, level] : m.asks) out.asks.push_back(level);
    out.applied = {m.last_exec_id, m.book_sequence, m.book_version, m.last};
    return out;
}

AppliedMark MarketData::applied(MarketId market) const {
    const Market& m = *markets_[market];
    std::shared_lock lock(m.mutex);
    return {m.last_exec_id, m.book_sequence, m.book_version, m.last};
}

void MarketData::restore(MarketId market, const MarketSnapshot& snapshot) {
    restore_book(market, snapshot);
    Market& m = *markets_[market];
    std::unique_lock lock(m.mutex);
    for (std::size_t i = 0; i < kIntervals.size(); ++i) {
        m.candles[i].assign(snapshot.candles[i].begin(), snapshot.candles[i].end());
    }
    m.trades.assign(snapshot.trades.begin(), snapshot.trades.end());
    m.last_exec_id = snapshot.applied.last_exec_id;
    m.last = snapshot.applied.last;
}

void MarketData::restore_book(MarketId market, const MarketSnapshot& snapshot) {
    Market& m = *markets_[market];
    std::unique_lock lock(m.mutex);
    m.bids.clear();
    m.asks.clear();
    for (const auto& level : snapshot.bids) m.bids.emplace(level.price, level);
    for (const auto& level : snapshot.asks) m.asks.emplace(level.price, level);
    m.book_sequence = snapshot.applied.book_sequence;
    m.book_version = snapshot.applied.book_version;
}

}  // namespace xtrader
