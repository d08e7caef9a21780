// The detectors of the regulatory and analytics groups (detector.hpp says what they share).
// Thresholds are per market where a market's scale matters (indexed by MarketId; a market
// beyond the vector, or a threshold of 0, is not watched); fractions are in parts per million,
// so that every comparison is exact integer arithmetic.
#pragma once

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "xtrader/core/market.hpp"
#include "xtrader/surveillance/detector.hpp"

namespace xtrader::surveillance {

inline constexpr std::uint32_t kPpm = 1'000'000;
inline constexpr Timestamp kSecond = 1'000'000'000;
inline constexpr Timestamp kDay = 86'400 * kSecond;

// The median of the last n values added, O(log n) per value.
class SlidingMedian {
  public:
    explicit SlidingMedian(std::size_t n) : n_(n) {}
    void add(Quantity value);
    std::size_t size() const noexcept { return window_.size(); }
    Quantity median() const;  // the lower median; 0 when empty

  private:
    void balance();
    std::size_t n_;
    std::deque<Quantity> window_;
    std::multiset<Quantity> low_, high_;  // low_: the smaller half, the median its largest
};

// regulatory: every execution whose notional reaches its market's threshold (quote units).
class LargeTradeDetector final : public Detector {
  public:
    LargeTradeDetector(const MarketCatalog& catalog, std::vector<Amount> thresholds);
    void on_execution(const ExecutionEvent& event, std::vector<Alert>& alerts) override;

  private:
    const MarketCatalog& catalog_;
    std::vector<Amount> thresholds_;
};

struct WashTradeOptions {
    // Accounts that belong to one owner (the configuration's `owner`): an execution between two
    // of them, or of an account with itself, is a wash trade.
    std::unordered_map<AccountId, std::uint32_t> owner;
    // A ring: two accounts with at least `ring_trades` executions between them within
    // `ring_window`, while the net position change of either stays at most `ring_net_ppm` of
    // the quantity traded between them (they hand the same coins back and forth), and what
    // they traded with each other is at least `ring_share_ppm` of what each traded in the
    // market (two busy market makers meet often, but each mostly meets others).
    Timestamp ring_window = 10 * 60 * kSecond;
    std::size_t ring_trades = 10;
    std::uint32_t ring_net_ppm = 100'000;    // 10 %
    std::uint32_t ring_share_ppm = 600'000;  // 60 %
};

// analytics: wash trades and wash rings.
class WashTradeDetector final : public Detector {
  public:
    WashTradeDetector(const MarketCatalog& catalog, WashTradeOptions options);
    void on_execution(const ExecutionEvent& event, std::vector<Alert>& alerts) override;

  private:
    struct PairTrade {
        Timestamp time;
        ExecId exec_id;
        Quantity low_buys;  // + when the lower account id bought, - when it sold
    };
    struct Pair {
        std::deque<PairTrade> trades;
        Quantity net = 0;    // sum of low_buys
        Quantity gross = 0;  // sum of |low_buys|
    };
    struct Traded {  // one execution of a market, for each account's volume in the window
        Timestamp time;
        AccountId buyer, seller;
        Quantity quantity;
    };
    struct Volume {  // what each account of a market traded within the window
        std::deque<Traded> trades;
        std::unordered_map<AccountId, Quantity> by_account;
    };
    bool same_owner(AccountId a, AccountId b) const;
    void add_volume(Volume& v, AccountId account, Quantity quantity);

    // Every this many executions, pairs idle for a window are dropped.
    static constexpr std::uint64_t kSweepEvery = 4096;

    const MarketCatalog& catalog_;
    WashTradeOptions options_;
    std::uint64_t executions_ = 0;
    std::vector<Volume> volumes_;  // by market
    // (market, lower account, higher account) -> their recent executions
    std::map<std::tuple<MarketId, AccountId, AccountId>, Pair> pairs_;
};

struct WhaleOptions {
    // An account that took part (on either side) in at least `share_ppm` of a market's traded
    // notional over `window`, once the market has traded at least `min_market_notional` (quote
    // units, per market) and `min_trades` times in the window: early in a quiet day every
    // trader is a whale. Every execution has two sides, so a market where n accounts trade
    // evenly gives each 2/n.
    Timestamp window = 24 * 3600 * kSecond;
    std::uint32_t share_ppm = 800'000;  // 80 %
    std::vector<Amount> min_market_notional;
    std::size_t min_trades = 100;
    // One order of at least `order_multiple` × the median quantity of the market's last
    // `median_orders` orders (once it has seen `min_orders` of them).
    std::uint32_t order_multiple = 50;
    std::size_t median_orders = 1000;
    std::size_t min_orders = 100;
};

// analytics: whales by share of the market and by the size of one order.
class WhaleDetector final : public Detector {
  public:
    WhaleDetector(const MarketCatalog& catalog, WhaleOptions options);
    void on_execution(const ExecutionEvent& event, std::vector<Alert>& alerts) override;
    void on_order(const OrderEvent& event, std::vector<Alert>& alerts) override;

  private:
    struct Window {
        std::deque<ExecutionEvent> trades;
        Amount total = 0;
        std::unordered_map<AccountId, Amount> by_account;
        std::unordered_map<AccountId, Timestamp> alerted;  // the UTC day of each account's alert
    };
    void add_share(Window& w, AccountId account, Amount notional);

    const MarketCatalog& catalog_;
    WhaleOptions options_;
    std::vector<Window> windows_;        // by market
    std::vector<SlidingMedian> orders_;  // by market
};

struct SpoofingOptions {
    // A large order: at least `size_multiple` × the average resting order of its side of the
    // book, priced within `touch_ticks` ticks of its side's best.
    std::uint32_t size_multiple = 5;
    std::int64_t touch_ticks = 5;
    // Cancelled without a fill within `cancel_within` of its placing: a fast cancel.
    Timestamp cancel_within = 2 * kSecond;
    // Within `window`, an account with at least `min_orders` large orders on one side, of which
    // at least `cancelled_ppm` were cancelled fast, and an execution on the other side.
    Timestamp window = 60 * kSecond;
    std::size_t min_orders = 3;
    std::uint32_t cancelled_ppm = 800'000;  // 80 %
};

// analytics: spoofing and layering.
class SpoofingDetector final : public Detector {
  public:
    SpoofingDetector(const MarketCatalog& catalog, SpoofingOptions options);
    void on_execution(const ExecutionEvent& event, std::vector<Alert>& alerts) override;
    void on_order(const OrderEvent& event, std::vector<Alert>& alerts) override;
    void on_touch(const TouchEvent& event, std::vector<Alert>& alerts) override;

  private:
    struct LargeOrder {
        OrderId order;
        Timestamp placed;
        Side side;
        bool filled = false;
        bool cancelled_fast = false;
    };
    struct Traded {
        Timestamp time;
        ExecId exec_id;
        Side side;  // the account's
    };
    struct Trader {  // one account with large orders in one market
        std::deque<LargeOrder> orders;
        std::deque<Traded> executions;
    };
    using Market = TouchEvent;  // the book as last seen
    bool large_near_touch(const Market& m, const MarketSpec& spec, const OrderEvent& e) const;
    void expire(Trader& t, Timestamp now) const;
    // Raises an alert when the account's large orders on `side` were mostly cancelled fast
    // while it traded on the other side.
    void check(MarketId market, AccountId account, Trader& t, Side side, Timestamp time,
               Sequence sequence, std::vector<Alert>& alerts);

    const MarketCatalog& catalog_;
    SpoofingOptions options_;
    std::vector<Market> markets_;
    std::map<std::pair<MarketId, AccountId>, Trader> traders_;
};

struct VenueOptions {
    // Each venue's name (for the alerts) and taker fee in parts per million.
    std::vector<std::string> venues;
    std::vector<std::uint32_t> venue_fee_ppm;
    // A deviation: our last price (else our mid) more than `deviation_bps` from the venue's last
    // (else its mid), at every reference price for at least `deviation_for`.
    std::uint32_t deviation_bps = 100;
    Timestamp deviation_for = 10 * kSecond;
};

// exchange-sync: our prices against other venues'. A deviation or an arbitrage opportunity is
// one alert per episode: it is raised again only after the prices came back in line (or the
// arbitrage turned round, or the venue stopped answering for a while).
class VenueDetector final : public Detector {
  public:
    VenueDetector(const MarketCatalog& catalog, VenueOptions options);
    void on_execution(const ExecutionEvent& event, std::vector<Alert>& alerts) override;
    void on_touch(const TouchEvent& event, std::vector<Alert>& alerts) override;
    void on_reference(const ReferencePrice& price, std::vector<Alert>& alerts) override;

    // A venue that did not answer: what it showed is forgotten, and an episode it was in ends
    // (raised again once it answers and the prices still differ).
    void forget(std::uint32_t venue);

    // Our price's deviation from the venue's at its last reference, in basis points (signed:
    // positive when ours is higher); nullopt before both are known.
    std::optional<std::int64_t> deviation_bps(std::uint32_t venue, MarketId market) const;

  private:
    struct Ours {
        Price last = 0, bid = 0, ask = 0;
    };
    struct Pair {  // one venue and one market
        std::optional<std::int64_t> deviation_bps;
        Timestamp deviating_since = 0;  // 0: in line
        bool deviation_alerted = false;
        int arbitrage = 0;  // the episode: 1 buy here and sell there, -1 the reverse, 0 none
    };
    Pair& pair(std::uint32_t venue, MarketId market);

    const MarketCatalog& catalog_;
    VenueOptions options_;
    std::vector<Ours> ours_;   // by market
    std::vector<Pair> pairs_;  // by venue, then market
};

}  // namespace xtrader::surveillance
