#include "xtrader/consumers/market_data.hpp"

#include <gtest/gtest.h>

#include "test_markets.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

constexpr Timestamp kHour = 60 * kMinute;
constexpr Timestamp kDay = 24 * kHour;
// 2026-11-23 (a Monday) 00:00:00 UTC.
constexpr Timestamp kMonday = 1'795'392'000LL * 1'000'000'000LL;

class MarketDataTest : public ::testing::Test {
  protected:
    MarketDataTest() : catalog_(test_catalog()), mdp_(catalog_) {}

    // One trade of `quantity` at `price`, at time t, as its journal record.
    void trade(Timestamp t, Price price, Quantity quantity = 1, Side taker = Side::Buy) {
        ++sequence_;
        records_.push_back(JournalRecord{
            sequence_,
            t,
            CommandBody{},
            {Trade{++exec_, kTstUsd, price, quantity, sequence_, 1, 1, 2, taker, 0, 0, 0, 0}}});
        mdp_.consume(std::span(records_).last(1));
    }

    MarketCatalog catalog_;
    MarketData mdp_;
    std::vector<JournalRecord> records_;
    Sequence sequence_ = 0;
    ExecId exec_ = 0;
};

TEST(IntervalStart, AlignsToUtcAndWeeksToMonday) {
    EXPECT_EQ(interval_start(CandleInterval::M1, kMonday + 59'999'999'999), kMonday);
    EXPECT_EQ(interval_start(CandleInterval::M1, kMonday + kMinute), kMonday + kMinute);
    EXPECT_EQ(interval_start(CandleInterval::H4, kMonday + 5 * kHour), kMonday + 4 * kHour);
    EXPECT_EQ(interval_start(CandleInterval::D1, kMonday + 23 * kHour), kMonday);
    EXPECT_EQ(interval_start(CandleInterval::W1, kMonday + 6 * kDay + 23 * kHour), kMonday);
    EXPECT_EQ(interval_start(CandleInterval::W1, kMonday - 1), kMonday - 7 * kDay);
    EXPECT_EQ(parse_interval("4h"), CandleInterval::H4);
    EXPECT_EQ(parse_interval("2h"), std::nullopt);
}

TEST_F(MarketDataTest, ATradeExactlyOnABoundaryOpensTheNextCandleInEveryInterval) {
    for (const auto& s : kIntervals) {
        MarketData mdp(catalog_);
        const Timestamp boundary = interval_start(s.interval, kMonday + 3 * kDay) + s.length;
        std::vector<JournalRecord> records = {
            {1,
             boundary - 1,
             CommandBody{},
             {Trade{1, kTstUsd, 100, 2, 1, 9, 1, 2, Side::Buy, 0, 0, 0, 0}}},
            {2,
             boundary,
             CommandBody{},
             {Trade{2, kTstUsd, 105, 3, 2, 9, 1, 2, Side::Sell, 0, 0, 0, 0}}}};
        mdp.consume(records);
        const auto candles = mdp.candles(kTstUsd, s.interval, 10);
        ASSERT_EQ(candles.size(), 2u) << s.name;
        EXPECT_EQ(candles[0], (Candle{boundary - s.length, boundary - 1, 100, 100, 100, 100, 2, 1}))
            << s.name;
        EXPECT_EQ(candles[1], (Candle{boundary, boundary + s.length - 1, 105, 105, 105, 105, 3, 1}))
            << s.name;
    }
}

TEST_F(MarketDataTest, CandlesTrackOpenHighLowCloseVolumeAndCount) {
    trade(kMonday + 1, 100, 2);
    trade(kMonday + 2, 110, 1);
    trade(kMonday + 3, 95, 4);
    trade(kMonday + 4, 101, 1);
    const auto c = mdp_.candles(kTstUsd, CandleInterval::M1, 1);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0], (Candle{kMonday, kMonday + kMinute - 1, 100, 110, 95, 101, 8, 4}));
    EXPECT_EQ(mdp_.candle_at(kTstUsd, CandleInterval::M1, kMonday + 30), c[0]);
    EXPECT_EQ(mdp_.candle_at(kTstUsd, CandleInterval::M1, kMonday + kMinute), std::nullopt);
}

TEST_F(MarketDataTest, AnIntervalWithoutTradesIsAFlatCandleAtTheLastClose) {
    trade(kMonday + 10, 100);
    trade(kMonday + 3 * kMinute + 10, 120);
    const auto c = mdp_.candles(kTstUsd, CandleInterval::M1, 10);
    ASSERT_EQ(c.size(), 4u);
    EXPECT_EQ(c[1],
              (Candle{kMonday + kMinute, kMonday + 2 * kMinute - 1, 100, 100, 100, 100, 0, 0}));
    EXPECT_EQ(c[2].open_time, kMonday + 2 * kMinute);
    EXPECT_EQ(c[2].volume, 0);
    EXPECT_EQ(c[3].open, 120);
    // limit, start and end select from the newest.
    EXPECT_EQ(mdp_.candles(kTstUsd, CandleInterval::M1, 2).front().open_time,
              kMonday + 2 * kMinute);
    EXPECT_EQ(
        mdp_.candles(kTstUsd, CandleInterval::M1, 10, kMonday + kMinute, kMonday + 2 * kMinute)
            .size(),
        2u);
    // A long silence fills at most what the interval keeps.
    trade(kMonday + 5 * kDay, 130);
    EXPECT_EQ(mdp_.candles(kTstUsd, CandleInterval::M1, 5000).size(), 1440u);
}

TEST_F(MarketDataTest, ARestartInTheMiddleOfAnIntervalContinuesTheSameCandles) {
    trade(kMonday + 10 * kMinute, 100, 2);
    trade(kMonday + 10 * kMinute + 5, 90, 1);
    trade(kMonday + 40 * kMinute, 95, 1);
    // After a restart the history comes back from the store (taker rows), then the journal.
    MarketData restarted(catalog_);
    std::vector<ExecutionRecord> history;
    for (std::size_t i = 0; i < 2; ++i) {
        const auto& t = std::get<Trade>(records_[i].events[0]);
        history.push_back({t.exec_id, 1, t.taker_order_id, kTstUsd, t.taker_side, t.price,
                           t.quantity, 0, false, records_[i].timestamp, records_[i].sequence});
        history.push_back({t.exec_id, 2, t.maker_order_id, kTstUsd, Side::Sell, t.price, t.quantity,
                           0, true, records_[i].timestamp, records_[i].sequence});
    }
    restarted.load_trades(history);
    restarted.consume(std::span(records_).subspan(2));
    for (const auto& s : kIntervals) {
        EXPECT_EQ(restarted.candles(kTstUsd, s.interval, 2000),
                  mdp_.candles(kTstUsd, s.interval, 2000))
            << s.name;
    }
    EXPECT_EQ(restarted.trades(kTstUsd, 10).size(), 3u);
}

TEST_F(MarketDataTest, StatisticsCoverTheLast24HoursAndRollOff) {
    trade(kMonday + 1 * kHour, 100, 5);
    trade(kMonday + 2 * kHour, 120, 1);
    trade(kMonday + 3 * kHour, 90, 2);
    trade(kMonday + 20 * kHour, 110, 1);
    auto s = mdp_.statistics(kTstUsd, kMonday + 21 * kHour);
    EXPECT_TRUE(s.traded);
    EXPECT_EQ(s.open, 100);
    EXPECT_EQ(s.high, 120);
    EXPECT_EQ(s.low, 90);
    EXPECT_EQ(s.last, 110);
    EXPECT_EQ(s.volume, 9);
    // 24 h after the first two trades they have left the window.
    s = mdp_.statistics(kTstUsd, kMonday + 26 * kHour + kMinute);
    EXPECT_EQ(s.open, 90);
    EXPECT_EQ(s.high, 110);
    EXPECT_EQ(s.volume, 3);
    // Nothing in the window: the last price stands, no volume.
    s = mdp_.statistics(kTstUsd, kMonday + 50 * kHour);
    EXPECT_FALSE(s.traded);
    EXPECT_EQ(s.last, 110);
    EXPECT_EQ(s.volume, 0);
    // The recent trades, newest first.
    const auto recent = mdp_.trades(kTstUsd, 2);
    ASSERT_EQ(recent.size(), 2u);
    EXPECT_EQ(recent[0].price, 110);
    EXPECT_EQ(recent[1].price, 90);
}

TEST_F(MarketDataTest, TheBookFollowsLevelChangesWithAVersionPerChange) {
    std::vector<JournalRecord> records = {
        {1, kMonday, CommandBody{}, {BookLevelChanged{kTstUsd, Side::Buy, 99, 5, 1}}},
        {2, kMonday, CommandBody{}, {BookLevelChanged{kTstUsd, Side::Buy, 100, 3, 2}}},
        {3, kMonday, CommandBody{}, {BookLevelChanged{kTstUsd, Side::Sell, 102, 7, 1}}},
        {4, kMonday, CommandBody{}, {FundsDeposited{1, 0, 5}}},
        {5, kMonday, CommandBody{}, {BookLevelChanged{kTstUsd, Side::Buy, 99, 0, 0}}}};
    mdp_.consume(records);
    const auto book = mdp_.book(kTstUsd, 10);
    ASSERT_EQ(book.bids.size(), 1u);
    EXPECT_EQ(book.bids[0].price, 100);
    EXPECT_EQ(book.bids[0].order_count, 2u);
    EXPECT_EQ(book.asks[0].volume, 7);
    EXPECT_EQ(book.sequence, 5u);
    EXPECT_EQ(book.version, 4u);  // records of a journal without versions: counted here
    EXPECT_EQ(mdp_.position(), 5u);
    const auto s = mdp_.statistics(kTstUsd, kMonday);
    EXPECT_EQ(s.bid, 100);
    EXPECT_EQ(s.ask, 102);
    // The engine's version, when the record has it.
    mdp_.consume(std::vector<JournalRecord>{
        {6,
         kMonday,
         CommandBody{},
         {BookLevelChanged{kTstUsd, Side::Sell, 103, 1, 1}, BookVersion{kTstUsd, 41}}}});
    EXPECT_EQ(mdp_.book(kTstUsd, 10).version, 41u);
}

TEST_F(MarketDataTest, WhatArrivesAgainIsDroppedTradesByExecIdAndTheBookBySequence) {
    // As the Kafka topic may bring it after a crash: one command's two trades and its book
    // change, then all of it again, then the next command's.
    const std::vector<PublicTrade> first = {{1, 100, 2, Side::Buy, kMonday, 7},
                                            {2, 101, 1, Side::Buy, kMonday, 7}};
    const std::vector<BookDelta> first_book = {{Side::Sell, 101, 4, 1}};
    mdp_.apply(kTstUsd, 7, kMonday, first, {});
    mdp_.apply(kTstUsd, 7, kMonday, {}, first_book);
    mdp_.apply(kTstUsd, 7, kMonday, std::span(first).first(1), {});  // a replay, in part
    mdp_.apply(kTstUsd, 7, kMonday, first, {});
    mdp_.apply(kTstUsd, 7, kMonday, {}, first_book);
    EXPECT_EQ(mdp_.duplicates(), 3u);
    const std::vector<PublicTrade> second = {{2, 101, 1, Side::Buy, kMonday, 7},
                                             {3, 102, 1, Side::Buy, kMonday, 8}};
    mdp_.apply(kTstUsd, 8, kMonday, second, {});  // its first trade was seen: only the new one
    mdp_.apply(kTstUsd, 6, kMonday, {}, std::vector<BookDelta>{{Side::Sell, 101, 0, 0}});

    const auto candle = mdp_.candle_at(kTstUsd, CandleInterval::M1, kMonday);
    ASSERT_TRUE(candle.has_value());
    EXPECT_EQ(candle->trade_count, 3u);
    EXPECT_EQ(candle->volume, 4);
    EXPECT_EQ(candle->close, 102);
    const auto book = mdp_.book(kTstUsd, 10);
    ASSERT_EQ(book.asks.size(), 1u);  // the older sequence's change did not undo it
    EXPECT_EQ(book.asks[0].volume, 4);
    EXPECT_EQ(book.version, 1u);
    EXPECT_EQ(mdp_.duplicates(), 4u);
}

TEST_F(MarketDataTest, ASnapshotRestoredElsewhereCarriesOnAsTheOriginal) {
    trade(kMonday, 100, 2);
    trade(kMonday + 3 * kMinute, 104, 1, Side::Sell);
    mdp_.apply(kTstUsd, sequence_, kMonday + 3 * kMinute, {},
               std::vector<BookDelta>{{Side::Buy, 99, 5, 2}, {Side::Sell, 105, 7, 1}});
    MarketData other(catalog_);
    other.restore(kTstUsd, mdp_.snapshot(kTstUsd));
    EXPECT_EQ(other.snapshot(kTstUsd), mdp_.snapshot(kTstUsd));
    EXPECT_EQ(other.applied(kTstUsd), (AppliedMark{exec_, sequence_, 1, 104}));

    // What the original has applied the copy drops; what follows both take alike.
    const std::vector<PublicTrade> again = {
        {exec_, 104, 1, Side::Sell, kMonday + 3 * kMinute, sequence_}};
    EXPECT_EQ(other.apply(kTstUsd, sequence_, kMonday, again, {}).fresh_trades, 0u);
    trade(kMonday + 4 * kMinute, 103);
    other.consume(std::span(records_).last(1));
    EXPECT_EQ(other.snapshot(kTstUsd), mdp_.snapshot(kTstUsd));
}

}  // namespace
}  // namespace xtrader
