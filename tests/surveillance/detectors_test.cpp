// The surveillance detectors on event lists: each pattern found with its evidence, the
// boundaries (just under a threshold: nothing), and time windows rolling off.
#include "xtrader/surveillance/detectors.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "btc_krw.hpp"

namespace xtrader::surveillance {
namespace {

constexpr Timestamp kT0 = 1'764'547'200'000'000'000;  // 2025-12-01 00:00 UTC
constexpr Price kPrice = 50'000'000;                  // KRW
constexpr Quantity kBtc = 10'000;                     // 1 BTC in quantity units

class Detectors : public ::testing::Test {
  protected:
    MarketCatalog catalog = testing::btc_krw_catalog();
    Sequence sequence = 0;
    ExecId exec = 0;

    // buyer buys `quantity` from seller at `price`, at `time`.
    ExecutionEvent trade(AccountId buyer, AccountId seller, Quantity quantity, Timestamp time,
                         Price price = kPrice) {
        ExecutionEvent e;
        e.sequence = ++sequence;
        e.time = time;
        e.exec_id = ++exec;
        e.price = price;
        e.quantity = quantity;
        e.notional = price * quantity * catalog.markets[0].quote_multiplier;
        e.buyer = buyer;
        e.seller = seller;
        e.buy_order = 1000 + 2 * exec;
        e.sell_order = 1001 + 2 * exec;
        return e;
    }

    OrderEvent order(AccountId account, OrderId id, Side side, Price price, Quantity quantity,
                     Timestamp time, OrderChange change = OrderChange::Placed) {
        OrderEvent e;
        e.sequence = ++sequence;
        e.time = time;
        e.account = account;
        e.order = id;
        e.side = side;
        e.price = price;
        e.quantity = quantity;
        e.change = change;
        return e;
    }
};

// ---- large trades --------------------------------------------------------------------------

TEST_F(Detectors, ALargeTradeAtItsThresholdIsReportedWithBothSides) {
    // 100,000,000 KRW at 4 decimals: exactly 2 BTC at 50,000,000.
    LargeTradeDetector d(catalog, {100'000'000LL * 10'000});
    std::vector<Alert> alerts;
    d.on_execution(trade(1, 2, 2 * kBtc - 1, kT0), alerts);
    EXPECT_TRUE(alerts.empty()) << "one lot under the threshold";
    d.on_execution(trade(4, 3, 2 * kBtc, kT0 + 1), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(a.id, "large_trade:2");
    EXPECT_EQ(a.kind, AlertKind::LargeTrade);
    EXPECT_EQ(a.accounts, (std::vector<AccountId>{3, 4}));
    EXPECT_EQ(a.executions, (std::vector<ExecId>{2}));
    EXPECT_EQ(a.orders.size(), 2u);
    EXPECT_EQ(a.time, kT0 + 1);
    EXPECT_NE(a.summary.find("2.0000 BTC"), std::string::npos) << a.summary;
    EXPECT_NE(a.summary.find("100000000.0000 KRW"), std::string::npos) << a.summary;
}

TEST_F(Detectors, AMarketWithoutAThresholdIsNotWatched) {
    LargeTradeDetector d(catalog, {});
    std::vector<Alert> alerts;
    d.on_execution(trade(1, 2, 1000 * kBtc, kT0), alerts);
    EXPECT_TRUE(alerts.empty());
}

// ---- wash trades and rings ------------------------------------------------------------------

TEST_F(Detectors, TradesBetweenAccountsOfOneOwnerAreWashTrades) {
    WashTradeOptions options;
    options.owner = {{1, 7}, {2, 7}, {3, 8}};
    WashTradeDetector d(catalog, options);
    std::vector<Alert> alerts;
    d.on_execution(trade(1, 3, kBtc, kT0), alerts);  // owners 7 and 8
    d.on_execution(trade(1, 9, kBtc, kT0), alerts);  // 9 names no owner
    EXPECT_TRUE(alerts.empty());
    d.on_execution(trade(2, 1, kBtc, kT0 + 1), alerts);
    d.on_execution(trade(5, 5, kBtc, kT0 + 2), alerts);  // an account with itself
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[0].id, "wash_trade:3");
    EXPECT_EQ(alerts[0].accounts, (std::vector<AccountId>{1, 2}));
    EXPECT_EQ(alerts[0].severity, Severity::Critical);
    EXPECT_EQ(alerts[1].accounts, (std::vector<AccountId>{5}));
}

TEST_F(Detectors, ARingTradingBackAndForthIsFoundAtItsTenthTrade) {
    WashTradeDetector d(catalog, {});
    std::vector<Alert> alerts;
    for (int i = 0; i < 9; ++i) {
        // 3 buys from 4, then sells back: the position goes nowhere.
        d.on_execution(i % 2 == 0 ? trade(3, 4, kBtc, kT0 + i * kSecond)
                                  : trade(4, 3, kBtc, kT0 + i * kSecond),
                       alerts);
    }
    EXPECT_TRUE(alerts.empty()) << "nine trades: one under the count";
    d.on_execution(trade(4, 3, kBtc, kT0 + 9 * kSecond), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::WashRing);
    EXPECT_EQ(alerts[0].accounts, (std::vector<AccountId>{3, 4}));
    EXPECT_EQ(alerts[0].executions.size(), 10u);
    EXPECT_EQ(alerts[0].id,
              "wash_ring:0:3-4:" + std::to_string((kT0 + 9 * kSecond) / (600 * kSecond)));
    // The pair starts over: one more trade is no second ring.
    d.on_execution(trade(3, 4, kBtc, kT0 + 10 * kSecond), alerts);
    EXPECT_EQ(alerts.size(), 1u);
}

TEST_F(Detectors, ABuyerAccumulatingFromOneSellerIsNoRing) {
    WashTradeDetector d(catalog, {});
    std::vector<Alert> alerts;
    for (int i = 0; i < 20; ++i) {
        // 8 buys for every 2 sells: net 60 % of the gross, far over 10 %.
        d.on_execution(i % 5 < 4 ? trade(3, 4, kBtc, kT0 + i) : trade(4, 3, kBtc, kT0 + i), alerts);
    }
    EXPECT_TRUE(alerts.empty());
}

TEST_F(Detectors, TwoMarketMakersMeetingAmongOthersAreNoRing) {
    WashTradeDetector d(catalog, {});
    std::vector<Alert> alerts;
    for (int i = 0; i < 60; ++i) {
        // 3 and 4 trade back and forth, but each meets accounts 5 and 6 as often as the other.
        const Timestamp t = kT0 + i * kSecond;
        switch (i % 3) {
            case 0:
                d.on_execution(i % 2 == 0 ? trade(3, 4, kBtc, t) : trade(4, 3, kBtc, t), alerts);
                break;
            case 1: d.on_execution(trade(3, 5 + i % 2, kBtc, t), alerts); break;
            default: d.on_execution(trade(6 - i % 2, 4, kBtc, t), alerts); break;
        }
    }
    EXPECT_TRUE(alerts.empty()) << alerts.front().summary;
}

TEST_F(Detectors, ARingSpreadBeyondItsWindowRollsOff) {
    WashTradeOptions options;
    options.ring_window = 60 * kSecond;
    WashTradeDetector d(catalog, options);
    std::vector<Alert> alerts;
    for (int i = 0; i < 30; ++i) {
        // One trade every 7 s: never ten within a minute.
        d.on_execution(i % 2 == 0 ? trade(3, 4, kBtc, kT0 + i * 7 * kSecond)
                                  : trade(4, 3, kBtc, kT0 + i * 7 * kSecond),
                       alerts);
    }
    EXPECT_TRUE(alerts.empty());
}

// ---- whales --------------------------------------------------------------------------------

TEST(SlidingMedian, IsTheLowerMedianOfTheLastNValues) {
    std::mt19937 random(7);
    std::uniform_int_distribution<Quantity> value(1, 50);
    SlidingMedian median(31);
    std::deque<Quantity> last;
    for (int i = 0; i < 2000; ++i) {
        const Quantity v = value(random);
        median.add(v);
        last.push_back(v);
        if (last.size() > 31) last.pop_front();
        std::vector<Quantity> sorted(last.begin(), last.end());
        std::sort(sorted.begin(), sorted.end());
        ASSERT_EQ(median.median(), sorted[(sorted.size() - 1) / 2]) << "after " << i;
        ASSERT_EQ(median.size(), last.size());
    }
}

TEST_F(Detectors, AnAccountReachingItsShareOfTheMarketIsAWhaleOncePerWindow) {
    WhaleOptions options;
    options.share_ppm = 300'000;
    options.min_trades = 4;
    WhaleDetector d(catalog, options);
    std::vector<Alert> alerts;
    // Four equal trades between eight accounts: 25 % each, under 30 %.
    for (AccountId a = 1; a <= 7; a += 2) d.on_execution(trade(a, a + 1, kBtc, kT0 + a), alerts);
    EXPECT_TRUE(alerts.empty());
    // Account 1 again: 2 of 5 trades, 40 %.
    d.on_execution(trade(1, 20, kBtc, kT0 + 100), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::Whale);
    EXPECT_EQ(alerts[0].accounts, (std::vector<AccountId>{1}));
    EXPECT_EQ(alerts[0].id, "whale:0:1:" + std::to_string(kT0 / kDay));
    EXPECT_NE(alerts[0].summary.find("40.00 %"), std::string::npos) << alerts[0].summary;
    d.on_execution(trade(1, 21, kBtc, kT0 + 200), alerts);
    EXPECT_EQ(alerts.size(), 1u) << "alerted once per day";
    // A day later the old trades have rolled off and the share is earned again.
    const Timestamp later = kT0 + options.window + 300;
    for (AccountId a = 30; a < 37; a += 2) d.on_execution(trade(a, a + 1, kBtc, later + a), alerts);
    EXPECT_EQ(alerts.size(), 1u);
    d.on_execution(trade(1, 40, kBtc, later + 400), alerts);
    d.on_execution(trade(1, 41, kBtc, later + 401), alerts);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[1].accounts, (std::vector<AccountId>{1}));
}

TEST_F(Detectors, AQuietMarketMakesNoWhales) {
    WhaleOptions options;  // 100 trades before any share counts
    WhaleDetector d(catalog, options);
    std::vector<Alert> alerts;
    for (int i = 0; i < 99; ++i) d.on_execution(trade(1, 2, kBtc, kT0 + i), alerts);
    EXPECT_TRUE(alerts.empty());
}

TEST_F(Detectors, AnOrderFiftyTimesTheMedianIsAWhaleOrder) {
    WhaleOptions options;
    options.min_orders = 5;
    WhaleDetector d(catalog, options);
    std::vector<Alert> alerts;
    for (OrderId id = 1; id <= 5; ++id) {
        d.on_order(order(1, id, Side::Buy, kPrice, 100, kT0), alerts);
    }
    d.on_order(order(2, 6, Side::Sell, kPrice, 4999, kT0 + 1), alerts);
    EXPECT_TRUE(alerts.empty()) << "49.99 times the median";
    d.on_order(order(3, 7, Side::Sell, kPrice, 5000, kT0 + 2), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].id, "whale_order:7");
    EXPECT_EQ(alerts[0].accounts, (std::vector<AccountId>{3}));
    EXPECT_EQ(alerts[0].orders, (std::vector<OrderId>{7}));
}

// ---- spoofing ------------------------------------------------------------------------------

class Spoofing : public Detectors {
  protected:
    SpoofingOptions options;
    std::vector<Alert> alerts;

    // The touch 49,990,000 / 50,010,000, the resting orders 10 lots on average on each side.
    void ordinary_market(SpoofingDetector& d) {
        d.on_touch({++sequence, kT0, 0, kPrice - 10'000, kPrice + 10'000, 10, 10}, alerts);
    }
    // Account 9 rests three large bids near the touch.
    void layer_bids(SpoofingDetector& d, Price price, Timestamp at) {
        for (OrderId id = 100; id < 103; ++id) {
            d.on_order(order(9, id, Side::Buy, price, 1000, at), alerts);
        }
    }
    void cancel(SpoofingDetector& d, OrderId id, Timestamp at) {
        d.on_order(order(9, id, Side::Buy, kPrice - 10'000, 1000, at, OrderChange::Cancelled),
                   alerts);
    }
};

TEST_F(Spoofing, LargeBidsCancelledFastWhileSellingAreSpoofing) {
    SpoofingDetector d(catalog, options);
    ordinary_market(d);
    layer_bids(d, kPrice - 10'000, kT0 + kSecond);
    d.on_execution(trade(11, 9, 5, kT0 + kSecond + 200'000'000), alerts);  // 9 sells
    cancel(d, 100, kT0 + 2 * kSecond);
    cancel(d, 101, kT0 + 2 * kSecond);
    EXPECT_TRUE(alerts.empty()) << "two of three cancelled: 67 %, under 80 %";
    cancel(d, 102, kT0 + 2 * kSecond);
    ASSERT_EQ(alerts.size(), 1u);
    const Alert& a = alerts[0];
    EXPECT_EQ(a.kind, AlertKind::Spoofing);
    EXPECT_EQ(a.id, "spoofing:0:9:Buy:" + std::to_string((kT0 + 2 * kSecond) / (60 * kSecond)));
    EXPECT_EQ(a.accounts, (std::vector<AccountId>{9}));
    EXPECT_EQ(a.orders, (std::vector<OrderId>{100, 101, 102}));
    EXPECT_EQ(a.executions, (std::vector<ExecId>{1}));
}

TEST_F(Spoofing, TheTradeOnTheOtherSideMayComeAfterTheCancels) {
    SpoofingDetector d(catalog, options);
    ordinary_market(d);
    layer_bids(d, kPrice - 10'000, kT0 + kSecond);
    for (OrderId id = 100; id < 103; ++id) cancel(d, id, kT0 + kSecond + 500'000'000);
    EXPECT_TRUE(alerts.empty()) << "no trade on the other side yet";
    d.on_execution(trade(11, 9, 5, kT0 + 3 * kSecond), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].executions, (std::vector<ExecId>{1}));
}

TEST_F(Spoofing, SlowCancelsFarOrdersAndOrdinarySizesAreNot) {
    {
        SpoofingDetector d(catalog, options);
        ordinary_market(d);
        layer_bids(d, kPrice - 10'000, kT0 + kSecond);
        d.on_execution(trade(11, 9, 5, kT0 + kSecond), alerts);
        // Just past the two seconds.
        for (OrderId id = 100; id < 103; ++id) cancel(d, id, kT0 + 3 * kSecond + 1);
    }
    {
        SpoofingDetector d(catalog, options);
        ordinary_market(d);
        layer_bids(d, kPrice - 16'000, kT0 + kSecond);  // six ticks under the best bid
        d.on_execution(trade(11, 9, 5, kT0 + kSecond), alerts);
        for (OrderId id = 100; id < 103; ++id) cancel(d, id, kT0 + 2 * kSecond);
    }
    {
        SpoofingDetector d(catalog, options);
        ordinary_market(d);
        for (OrderId id = 100; id < 103; ++id) {
            // 49 lots against an average of 10: just under five times.
            d.on_order(order(9, id, Side::Buy, kPrice - 10'000, 49, kT0 + kSecond), alerts);
        }
        d.on_execution(trade(11, 9, 5, kT0 + kSecond), alerts);
        for (OrderId id = 100; id < 103; ++id) cancel(d, id, kT0 + 2 * kSecond);
    }
    EXPECT_TRUE(alerts.empty());
}

TEST_F(Spoofing, OrdersOlderThanTheWindowRollOff) {
    SpoofingDetector d(catalog, options);
    ordinary_market(d);
    layer_bids(d, kPrice - 10'000, kT0 + kSecond);
    for (OrderId id = 100; id < 103; ++id) cancel(d, id, kT0 + kSecond + 1);
    // The sell comes two minutes later: the layering is out of the one-minute window.
    d.on_execution(trade(11, 9, 5, kT0 + 121 * kSecond), alerts);
    EXPECT_TRUE(alerts.empty());
}

// ---- other venues --------------------------------------------------------------------------

class Venues : public Detectors {
  protected:
    VenueOptions options = [] {
        VenueOptions o;
        o.venues = {"upbit", "binance"};
        o.venue_fee_ppm = {500, 1000};
        return o;
    }();
    std::vector<Alert> alerts;

    ReferencePrice reference(std::uint32_t venue, Timestamp time, Price last, Price bid = 0,
                             Price ask = 0) {
        return {time, venue, 0, last, bid, ask};
    }
};

TEST_F(Venues, APriceAwayFromAVenueForTheWholeSpellIsADeviationOncePerEpisode) {
    VenueDetector d(catalog, options);
    d.on_execution(trade(1, 2, kBtc, kT0, 51'000'000), alerts);  // 2 % over 50,000,000
    d.on_reference(reference(0, kT0, kPrice), alerts);
    EXPECT_EQ(d.deviation_bps(0, 0), 200);
    EXPECT_FALSE(d.deviation_bps(1, 0)) << "binance has said nothing";
    d.on_reference(reference(0, kT0 + 10 * kSecond - 1, kPrice), alerts);
    EXPECT_TRUE(alerts.empty()) << "one nanosecond short of ten seconds";
    d.on_reference(reference(0, kT0 + 10 * kSecond, kPrice), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::PriceDeviation);
    EXPECT_EQ(alerts[0].id, "price_deviation:upbit:0:" + std::to_string(kT0));
    EXPECT_NE(alerts[0].summary.find("2.00 %"), std::string::npos) << alerts[0].summary;
    d.on_reference(reference(0, kT0 + 20 * kSecond, kPrice), alerts);
    EXPECT_EQ(alerts.size(), 1u) << "the same episode";
    // Back within 1 %, then away again: a new episode, alerted after its own ten seconds.
    d.on_reference(reference(0, kT0 + 21 * kSecond, 50'600'000), alerts);
    d.on_reference(reference(0, kT0 + 22 * kSecond, kPrice), alerts);
    d.on_reference(reference(0, kT0 + 32 * kSecond, kPrice), alerts);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_EQ(alerts[1].id, "price_deviation:upbit:0:" + std::to_string(kT0 + 22 * kSecond));
}

TEST_F(Venues, ABookCrossingAVenueBeyondTheFeesIsArbitrage) {
    VenueDetector d(catalog, options);
    d.on_touch({1, kT0, 0, 49'900'000, 50'000'000, 10, 10}, alerts);
    // Binance's bid 50,075,000: 0.15 % over our ask, the fees (0.05 % + 0.1 %) on both legs
    // take 0.3 %.
    d.on_reference(reference(1, kT0, 0, 50'075'000, 50'080'000), alerts);
    EXPECT_TRUE(alerts.empty());
    d.on_reference(reference(1, kT0 + kSecond, 0, 50'200'000, 50'210'000), alerts);
    ASSERT_EQ(alerts.size(), 1u);
    EXPECT_EQ(alerts[0].kind, AlertKind::Arbitrage);
    EXPECT_NE(alerts[0].summary.find("binance"), std::string::npos);
    d.on_reference(reference(1, kT0 + 2 * kSecond, 0, 50'200'000, 50'210'000), alerts);
    EXPECT_EQ(alerts.size(), 1u) << "the same episode";
    // Our bid over their ask: the other direction.
    d.on_reference(reference(1, kT0 + 3 * kSecond, 0, 49'500'000, 49'600'000), alerts);
    ASSERT_EQ(alerts.size(), 2u);
    EXPECT_NE(alerts[1].summary.find("our best bid"), std::string::npos);
}

}  // namespace
}  // namespace xtrader::surveillance
