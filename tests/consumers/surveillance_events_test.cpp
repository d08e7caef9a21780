// The detectors' events from the pipeline's messages: sides from taker and maker, the touch from
// book deltas, an order's change from its previous state, replays dropped.
#include "xtrader/consumers/surveillance_events.hpp"

#include <gtest/gtest.h>

#include "btc_krw.hpp"

namespace xtrader {
namespace {

using surveillance::OrderChange;

class SurveillanceEventsTest : public ::testing::Test {
  protected:
    MarketCatalog catalog = testing::btc_krw_catalog();
    SurveillanceEvents events{catalog};

    static OrderRecord order(OrderStatus status, Quantity filled, Sequence sequence) {
        OrderRecord o;
        o.id = 17;
        o.account = 3;
        o.side = Side::Sell;
        o.price = 50'000'000;
        o.quantity = 100;
        o.filled = filled;
        o.status = status;
        o.sequence = sequence;
        o.updated = static_cast<Timestamp>(sequence) * kNanosPerMilli;
        return o;
    }
};

TEST_F(SurveillanceEventsTest, AnExecutionNamesItsBuyerAndSellerAndItsNotional) {
    const Trade sell_taker{9, 0, 50'000'000, 2, 41, 40, 7, 8, Side::Sell, 50, 50, 0, 0};
    const auto event = events.execution({42, 1'000, sell_taker});
    ASSERT_TRUE(event);
    const auto& e = *event;
    EXPECT_EQ(e.sequence, 42u);
    EXPECT_EQ(e.time, 1'000 * kNanosPerMilli);
    EXPECT_EQ(e.exec_id, 9u);
    EXPECT_EQ(e.buyer, 8u);  // the maker, since the taker sold
    EXPECT_EQ(e.seller, 7u);
    EXPECT_EQ(e.buy_order, 40u);
    EXPECT_EQ(e.sell_order, 41u);
    EXPECT_EQ(e.notional, 100'000'000);  // 50,000,000 KRW x 0.0002 BTC = 10,000.0000 KRW
    EXPECT_FALSE(events.execution({42, 1'000, sell_taker})) << "a replay";
}

TEST_F(SurveillanceEventsTest, TheTouchAndTheAverageRestingOrderFollowTheBook) {
    auto delta = [](Sequence sequence, std::vector<BookLevelChanged> changes) {
        return BookDeltaMessage{sequence, static_cast<Timestamp>(sequence), 0, sequence,
                                std::move(changes)};
    };
    const auto first = events.touch(
        delta(1, {{0, Side::Buy, 49'000'000, 10, 1}, {0, Side::Sell, 51'000'000, 10, 1}}));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->best_bid, 49'000'000);
    EXPECT_EQ(first->best_ask, 51'000'000);
    EXPECT_EQ(first->bid_average, 10);
    const auto behind = events.touch(delta(2, {{0, Side::Buy, 48'000'000, 50, 4}}));
    ASSERT_TRUE(behind);
    EXPECT_EQ(behind->best_bid, 49'000'000) << "a level behind the best";
    EXPECT_EQ(behind->bid_average, 12) << "60 over 5 orders";
    EXPECT_EQ(behind->ask_average, 10);
    const auto gone = events.touch(delta(3, {{0, Side::Buy, 49'000'000, 0, 0}}));
    ASSERT_TRUE(gone);
    EXPECT_EQ(gone->best_bid, 48'000'000);
    EXPECT_EQ(gone->bid_average, 12) << "50 over 4 orders";
    EXPECT_FALSE(events.touch(delta(3, {{0, Side::Buy, 47'000'000, 5, 1}}))) << "a replay";
    const auto empty = events.touch(delta(4, {{0, Side::Sell, 51'000'000, 0, 0}}));
    ASSERT_TRUE(empty);
    EXPECT_EQ(empty->best_ask, 0);
    EXPECT_EQ(empty->ask_average, 0);
}

TEST_F(SurveillanceEventsTest, AnOrdersChangesArePlacedFilledCancelledAndReplaysDropped) {
    const auto placed = events.order({order(OrderStatus::Pending, 0, 5), 0});
    ASSERT_TRUE(placed);
    EXPECT_EQ(placed->change, OrderChange::Placed);
    EXPECT_EQ(placed->account, 3u);
    EXPECT_EQ(placed->time, 5 * kNanosPerMilli);
    EXPECT_FALSE(events.order({order(OrderStatus::Pending, 0, 5), 0})) << "a replay";
    const auto filled = events.order({order(OrderStatus::PartiallyFilled, 40, 9), 1});
    ASSERT_TRUE(filled);
    EXPECT_EQ(filled->change, OrderChange::Filled);
    EXPECT_EQ(filled->filled, 40);
    const auto cancelled = events.order({order(OrderStatus::Cancelled, 40, 12), 0});
    ASSERT_TRUE(cancelled);
    EXPECT_EQ(cancelled->change, OrderChange::Cancelled);
    // Final: forgotten. A member that first sees an order late takes it by its state.
    const auto late = events.order({order(OrderStatus::Filled, 100, 20), 0});
    ASSERT_TRUE(late);
    EXPECT_EQ(late->change, OrderChange::Filled);
    const auto rejected = events.order({order(OrderStatus::Rejected, 0, 21), 0});
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->change, OrderChange::Rejected);
}

}  // namespace
}  // namespace xtrader
