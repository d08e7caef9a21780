// The market-data publisher (MDP): candles for every interval, rolling 24 h statistics, the last
// trades and the L2 book of each market, built from the engine's events. It is fed one command's
// changes to one market at a time through apply(): by consume() from the journal (embedded mode:
// a JournalFollower calls it) or by the Kafka market-data topic's consumer (full mode). At start
// it is rebuilt from the trade store's history and the recovered engine's book, so charts survive
// a restart. apply() drops what it has applied before (trades by exec id, book changes by
// sequence), so a replayed message changes nothing.
//
// Threads: consume() and the loaders on one writer thread; every read from any thread, under a
// shared lock per market. Listeners are called on the writer thread, after the change.
#pragma once

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <vector>

#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/engine/matching_engine.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader {

enum class CandleInterval : std::uint8_t { M1, M5, M15, M30, H1, H4, D1, W1 };

struct IntervalSpec {
    CandleInterval interval;
    std::string_view name;
    Timestamp length;  // nanoseconds
    std::size_t keep;  // candles kept
};

inline constexpr Timestamp kMinute = 60'000'000'000LL;
inline constexpr std::array<IntervalSpec, 8> kIntervals = {{
    {CandleInterval::M1, "1m", kMinute, 1440},
    {CandleInterval::M5, "5m", 5 * kMinute, 1152},
    {CandleInterval::M15, "15m", 15 * kMinute, 960},
    {CandleInterval::M30, "30m", 30 * kMinute, 1008},
    {CandleInterval::H1, "1h", 60 * kMinute, 720},
    {CandleInterval::H4, "4h", 240 * kMinute, 720},
    {CandleInterval::D1, "1d", 1440 * kMinute, 365},
    {CandleInterval::W1, "1w", 7 * 1440 * kMinute, 156},
}};

std::optional<CandleInterval> parse_interval(std::string_view name) noexcept;
const IntervalSpec& spec(CandleInterval interval) noexcept;
// The start of the interval holding t: UTC-aligned; weeks start on Monday 00:00 UTC.
Timestamp interval_start(CandleInterval interval, Timestamp t) noexcept;

struct Candle {
    Timestamp open_time = 0;
    Timestamp close_time = 0;  // open_time + length - 1 ns
    Price open = 0, high = 0, low = 0, close = 0;
    Quantity volume = 0;
    std::uint64_t trade_count = 0;
    bool operator==(const Candle&) const = default;
};

struct PublicTrade {
    ExecId exec_id = 0;
    Price price = 0;
    Quantity quantity = 0;
    Side taker_side = Side::Buy;
    Timestamp time = 0;
    Sequence sequence = 0;
    bool operator==(const PublicTrade&) const = default;
};

struct BookLevelView {
    Price price = 0;
    Quantity volume = 0;
    std::uint32_t order_count = 0;
    bool operator==(const BookLevelView&) const = default;
};

struct BookView {
    std::vector<BookLevelView> bids;  // best first
    std::vector<BookLevelView> asks;  // best first
    Sequence sequence = 0;            // the last event reflected
    std::uint64_t version = 0;        // +1 per command that changed the book: gaps show
};

// 24 h to `now`, from the 1m candles: minute granularity at the window's far edge.
struct MarketStatistics {
    bool traded = false;  // any trade in the window; when false, prices are the last known
    Price open = 0, high = 0, low = 0, last = 0;
    Quantity volume = 0;
    std::optional<Price> bid, ask;
};

// One changed level of a BookLevelChanged (volume 0: gone).
struct BookDelta {
    Side side;
    Price price;
    Quantity volume;
    std::uint32_t order_count;
};

// How far a market has applied the engine's events: what apply() drops below.
struct AppliedMark {
    ExecId last_exec_id = 0;
    Sequence book_sequence = 0;
    std::uint64_t book_version = 0;
    Price last = 0;  // the last trade's price
    bool operator==(const AppliedMark&) const = default;
};

// One market's whole state: what the market-data cache keeps, and what restore() starts from.
struct MarketSnapshot {
    std::array<std::vector<Candle>, kIntervals.size()> candles;  // oldest first
    std::vector<PublicTrade> trades;                             // newest first
    std::vector<BookLevelView> bids;                             // best first
    std::vector<BookLevelView> asks;
    AppliedMark applied;
    bool operator==(const MarketSnapshot&) const = default;
};

class MarketDataListener {
  public:
    virtual ~MarketDataListener() = default;
    // One record's worth of changes to one market, after they are applied.
    // book_version is the book's version after `book` (unchanged when book is empty).
    virtual void on_market_update(MarketId market, Sequence sequence, Timestamp time,
                                  std::span<const PublicTrade> trades,
                                  std::span<const BookDelta> book, std::uint64_t book_version) = 0;
};

class MarketData final : public RecordConsumer {
  public:
    explicit MarketData(const MarketCatalog& catalog);
    ~MarketData() override;

    // Start-up, before consume(): past trades (any order) and the engine's book as of `sequence`.
    void load_trades(std::span<const ExecutionRecord> trades);
    void load_book(const MatchingEngine& engine, Sequence sequence);
    void set_listener(MarketDataListener* listener) noexcept { listener_ = listener; }

    Sequence position() override { return position_.load(std::memory_order_acquire); }
    void consume(std::span<const JournalRecord> records) override;
    // One command's trades (in exec id order) and book changes in one market. time: of the
    // command. book_version: the engine's BookVersion after the changes (0, unknown: one more
    // than before). Returns what was new: the trades' last `fresh_trades`, and the book changes
    // or none.
    struct Applied {
        std::size_t fresh_trades = 0;
        bool book_changed = false;
    };
    Applied apply(MarketId market, Sequence sequence, Timestamp time,
                  std::span<const PublicTrade> trades, std::span<const BookDelta> book,
                  std::uint64_t book_version = 0);
    // Calls of apply() that brought nothing new.
    std::uint64_t duplicates() const noexcept {
        return duplicates_.load(std::memory_order_relaxed);
    }

    std::vector<Candle> candles(MarketId market, CandleInterval interval, std::size_t limit,
                                std::optional<Timestamp> start = {},
                                std::optional<Timestamp> end = {}) const;
    // The candle that holds `time` (the running one), if any trade fell in it.
    std::optional<Candle> candle_at(MarketId market, CandleInterval interval, Timestamp time) const;
    MarketStatistics statistics(MarketId market, Timestamp now) const;
    std::vector<PublicTrade> trades(MarketId market, std::size_t limit) const;  // newest first
    BookView book(MarketId market, std::size_t depth) const;

    // A market's whole state, and its replacement by one (a cache read at start or when the
    // market's partition comes to this process); restore() calls no listener.
    MarketSnapshot snapshot(MarketId market) const;
    AppliedMark applied(MarketId market) const;
    void restore(MarketId market, const MarketSnapshot& snapshot);
    // Only the book (levels, sequence, version): a gateway's mirror catching up with the cache.
    void restore_book(MarketId market, const MarketSnapshot& snapshot);

    static constexpr std::size_t kTradesKept = 1000;

  private:
    struct Market;
    void add_trade(Market& m, const PublicTrade& trade);

    const MarketCatalog& catalog_;
    std::vector<std::unique_ptr<Market>> markets_;
    std::atomic<Sequence> position_{0};
    std::atomic<std::uint64_t> duplicates_{0};
    MarketDataListener* listener_ = nullptr;
};

}  // namespace xtrader
