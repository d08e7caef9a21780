// Scenarios with their whole expected event streams, each ending with the invariant checks.
#include <gtest/gtest.h>

#include <memory>

#include "test_markets.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

class EngineScenario : public ::testing::Test {
  protected:
    EngineScenario() : engine_(test_catalog(), EngineOptions{.max_accounts = 100}) {
        for (AccountId account = 1; account <= 5; ++account) {
            deposit(account, kUsd, 1'000'000);
            deposit(account, kTst, 10'000);
        }
        log_.take();
    }
    ~EngineScenario() override { expect_invariants(engine_); }

    RejectReason apply(CommandBody body) {
        return engine_.apply(
            Command{++sequence_, static_cast<Timestamp>(1000 * sequence_), std::move(body)}, log_);
    }
    RejectReason deposit(AccountId account, AssetId asset, Amount amount) {
        return apply(Deposit{account, asset, amount});
    }
    // Returns the new order's id (its sequence).
    OrderId limit(AccountId account, Side side, Price price, Quantity quantity,
                  TimeInForce tif = TimeInForce::GTC, bool post_only = false,
                  MarketId market = kTstUsd) {
        last_ = apply(
            PlaceOrder{account, market, side, OrderType::Limit, tif, post_only, price, quantity});
        return sequence_;
    }
    OrderId market(AccountId account, Side side, Quantity quantity,
                   TimeInForce tif = TimeInForce::IOC) {
        last_ =
            apply(PlaceOrder{account, kTstUsd, side, OrderType::Market, tif, false, 0, quantity});
        return sequence_;
    }
    Balance balance(AccountId account, AssetId asset) const {
        return engine_.ledger().balance(account, asset);
    }
    // The fee and trade of a TST-USD fill, for expected events.
    static Amount taker_fee(Amount notional) { return notional * 1000 / 1'000'000; }
    static Amount maker_fee(Amount notional) { return notional * 500 / 1'000'000; }
    BookLevelChanged level(Side side, Price price, Quantity volume, std::uint32_t count) const {
        return BookLevelChanged{kTstUsd, side, price, volume, count};
    }
    // Another engine loaded from a snapshot of this one, checked to hash alike.
    std::unique_ptr<MatchingEngine> restored() const {
        std::vector<std::byte> bytes;
        ByteWriter out(bytes);
        engine_.save(out);
        auto copy =
            std::make_unique<MatchingEngine>(test_catalog(), EngineOptions{.max_accounts = 100});
        ByteReader in(bytes);
        EXPECT_TRUE(copy->load(in));
        EXPECT_TRUE(in.at_end());
        EXPECT_EQ(copy->state_hash(), engine_.state_hash());
        return copy;
    }

    MatchingEngine engine_;
    EventLog log_;
    Sequence sequence_ = 0;
    RejectReason last_ = RejectReason::None;
};

TEST_F(EngineScenario, RestingLimitOrderHoldsPriceTimesQuantityPlusTakerFee) {
    const OrderId id = limit(1, Side::Buy, 100, 10);
    EXPECT_EQ(last_, RejectReason::None);
    const std::vector<Event> expected = {OrderAccepted{id, 1, kTstUsd, Side::Buy, OrderType::Limit,
                                                       TimeInForce::GTC, false, 100, 10},
                                         level(Side::Buy, 100, 10, 1)};
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000 - 1001, 1001}));
}

TEST_F(EngineScenario, SweepAcrossSeveralLevelsTradesAtEachMakerPrice) {
    const OrderId a = limit(2, Side::Sell, 101, 5);
    const OrderId b = limit(3, Side::Sell, 100, 5);
    const OrderId c = limit(4, Side::Sell, 102, 5);
    const OrderId d = limit(4, Side::Sell, 103, 5);
    log_.take();
    const OrderId t = limit(1, Side::Buy, 102, 12);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 102, 12},
        Trade{1, kTstUsd, 100, 5, t, b, 1, 3, Side::Buy, taker_fee(500), maker_fee(500), 7, 0},
        level(Side::Sell, 100, 0, 0),
        Trade{2, kTstUsd, 101, 5, t, a, 1, 2, Side::Buy, taker_fee(505), maker_fee(505), 2, 0},
        level(Side::Sell, 101, 0, 0),
        Trade{3, kTstUsd, 102, 2, t, c, 1, 4, Side::Buy, taker_fee(204), maker_fee(204), 0, 3},
        level(Side::Sell, 102, 3, 1),
    };
    EXPECT_EQ(log_.take(), expected);
    // The buyer paid 500 + 505 + 204 plus taker fees (0 + 0 + 0 after rounding down: 0.5, 0.505,
    // 0.204) and its hold for the price improvement came back.
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000 - 1209, 0}));
    EXPECT_EQ(balance(1, kTst), (Balance{10'012, 0}));
    EXPECT_EQ(balance(4, kTst), (Balance{10'000 - 10, 8}));
    EXPECT_EQ(engine_.find_order(d)->remaining(), 5);
}

TEST_F(EngineScenario, OrdersAtOnePriceFillOldestFirst) {
    const OrderId first = limit(2, Side::Sell, 100, 5);
    const OrderId second = limit(3, Side::Sell, 100, 5);
    log_.take();
    const OrderId t = limit(1, Side::Buy, 100, 7);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 100, 7},
        Trade{1, kTstUsd, 100, 5, t, first, 1, 2, Side::Buy, 0, 0, 2, 0},
        Trade{2, kTstUsd, 100, 2, t, second, 1, 3, Side::Buy, 0, 0, 0, 3},
        level(Side::Sell, 100, 3, 1),
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(engine_.find_order(first), nullptr);
    EXPECT_EQ(engine_.find_order(second)->filled, 2);
}

TEST_F(EngineScenario, PartialFillRestsTheRemainder) {
    const OrderId maker = limit(2, Side::Sell, 100, 3);
    log_.take();
    const OrderId t = limit(1, Side::Buy, 100, 10);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 100, 10},
        Trade{1, kTstUsd, 100, 3, t, maker, 1, 2, Side::Buy, 0, 0, 7, 0},
        level(Side::Sell, 100, 0, 0),
        level(Side::Buy, 100, 7, 1),
    };
    EXPECT_EQ(log_.take(), expected);
    // Hold for the remaining 7 @ 100: 700 + fee 0.7 -> 700 after rounding down... the original
    // hold was 1000 + 1 = 1001, minus what the fill cost (300 + 0).
    EXPECT_EQ(balance(1, kUsd).held, 701);
    EXPECT_EQ(engine_.find_order(t)->held, 701);
}

TEST_F(EngineScenario, IocRemainderIsCancelled) {
    const OrderId maker = limit(2, Side::Sell, 100, 3);
    log_.take();
    const OrderId t = limit(1, Side::Buy, 100, 10, TimeInForce::IOC);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::IOC, false, 100, 10},
        Trade{1, kTstUsd, 100, 3, t, maker, 1, 2, Side::Buy, 0, 0, 7, 0},
        level(Side::Sell, 100, 0, 0),
        OrderCancelled{t, 1, kTstUsd, 7, CancelReason::Unfilled},
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000 - 300, 0}));
}

TEST_F(EngineScenario, FillOrKillIsAllOrNothing) {
    const OrderId m1 = limit(2, Side::Sell, 100, 3);
    const OrderId m2 = limit(3, Side::Sell, 101, 3);
    const OrderId own = limit(1, Side::Sell, 100, 4);  // not counted: it cannot fill account 1
    log_.take();
    const OrderId kill = limit(1, Side::Buy, 101, 7, TimeInForce::FOK);
    std::vector<Event> expected = {
        OrderAccepted{kill, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::FOK, false, 101,
                      7},
        OrderCancelled{kill, 1, kTstUsd, 7, CancelReason::Unfilled},
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000, 0}));
    EXPECT_EQ(engine_.find_order(m1)->remaining(), 3);

    const OrderId fill = limit(4, Side::Buy, 101, 6, TimeInForce::FOK);
    expected = {
        OrderAccepted{fill, 4, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::FOK, false, 101,
                      6},
        Trade{1, kTstUsd, 100, 3, fill, m1, 4, 2, Side::Buy, 0, 0, 3, 0},
        Trade{2, kTstUsd, 100, 3, fill, own, 4, 1, Side::Buy, 0, 0, 0, 1},
        level(Side::Sell, 100, 1, 1),
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(engine_.find_order(m2)->remaining(), 3);
}

TEST_F(EngineScenario, PostOnlyThatWouldCrossIsRejected) {
    limit(2, Side::Sell, 100, 3);
    log_.take();
    const OrderId crossing = limit(1, Side::Buy, 100, 1, TimeInForce::GTC, true);
    EXPECT_EQ(last_, RejectReason::PostOnlyWouldCross);
    EXPECT_EQ(log_.take(),
              one_event(CommandRejected{crossing, 1, RejectReason::PostOnlyWouldCross}));
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000, 0}));
    const OrderId resting = limit(1, Side::Buy, 99, 1, TimeInForce::GTC, true);
    EXPECT_EQ(last_, RejectReason::None);
    EXPECT_NE(engine_.find_order(resting), nullptr);
    limit(1, Side::Buy, 99, 1, TimeInForce::IOC, true);
    EXPECT_EQ(last_, RejectReason::InvalidOrderType);
}

TEST_F(EngineScenario, MarketOrderWithoutLiquidityIsRejected) {
    const OrderId id = market(1, Side::Buy, 5);
    EXPECT_EQ(last_, RejectReason::NoLiquidity);
    EXPECT_EQ(log_.take(), one_event(CommandRejected{id, 1, RejectReason::NoLiquidity}));
    market(1, Side::Sell, 5);
    EXPECT_EQ(last_, RejectReason::NoLiquidity);
}

TEST_F(EngineScenario, MarketOrderSweepsAndCancelsWhatTheBookCannotFill) {
    const OrderId m1 = limit(2, Side::Buy, 99, 2);
    const OrderId m2 = limit(3, Side::Buy, 98, 2);
    log_.take();
    const OrderId t = market(1, Side::Sell, 5, TimeInForce::GTC);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Sell, OrderType::Market, TimeInForce::IOC, false, 0, 5},
        Trade{1, kTstUsd, 99, 2, t, m1, 1, 2, Side::Sell, 0, 0, 3, 0},
        level(Side::Buy, 99, 0, 0),
        Trade{2, kTstUsd, 98, 2, t, m2, 1, 3, Side::Sell, 0, 0, 1, 0},
        level(Side::Buy, 98, 0, 0),
        OrderCancelled{t, 1, kTstUsd, 1, CancelReason::Unfilled},
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kTst), (Balance{10'000 - 4, 0}));
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000 + 198 + 196, 0}));
}

TEST_F(EngineScenario, SelfTradePreventionCancelsTheRestingOrder) {
    const OrderId own = limit(1, Side::Sell, 100, 5);
    const OrderId other = limit(2, Side::Sell, 100, 5);
    log_.take();
    const OrderId t = limit(1, Side::Buy, 100, 5);
    const std::vector<Event> expected = {
        OrderAccepted{t, 1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 100, 5},
        OrderCancelled{own, 1, kTstUsd, 5, CancelReason::SelfTrade},
        Trade{1, kTstUsd, 100, 5, t, other, 1, 2, Side::Buy, 0, 0, 0, 0},
        level(Side::Sell, 100, 0, 0),
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kTst), (Balance{10'005, 0}));
    apply(CancelOrder{1, own});
    EXPECT_EQ(last_ = apply(CancelOrder{1, own}), RejectReason::OrderClosed);
}

TEST_F(EngineScenario, CancelReleasesTheHold) {
    const OrderId id = limit(1, Side::Buy, 100, 10);
    log_.take();
    EXPECT_EQ(apply(CancelOrder{1, id}), RejectReason::None);
    const std::vector<Event> expected = {
        OrderCancelled{id, 1, kTstUsd, 10, CancelReason::Requested},
        level(Side::Buy, 100, 0, 0),
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000, 0}));
    EXPECT_EQ(engine_.book(kTstUsd).best(Side::Buy), nullptr);
}

TEST_F(EngineScenario, CancelOfUnknownFilledOrOthersOrderIsRefused) {
    EXPECT_EQ(apply(CancelOrder{1, 999}), RejectReason::UnknownOrder);
    const OrderId maker = limit(2, Side::Sell, 100, 1);
    EXPECT_EQ(apply(CancelOrder{1, maker}), RejectReason::NotOwner);
    limit(1, Side::Buy, 100, 1);  // fills the maker
    EXPECT_EQ(apply(CancelOrder{2, maker}), RejectReason::OrderClosed);
    EXPECT_EQ(apply(CancelOrder{1, maker}), RejectReason::NotOwner);
    EXPECT_EQ(log_.events.back(), (Event{CommandRejected{maker, 1, RejectReason::NotOwner}}));
}

TEST_F(EngineScenario, TickLotAndBoundsViolationsChangeNothing) {
    const auto before = engine_.state_hash();
    const auto btc = [&](Price price, Quantity quantity) {
        return apply(PlaceOrder{1, kBtcKrw, Side::Buy, OrderType::Limit, TimeInForce::GTC, false,
                                price, quantity});
    };
    EXPECT_EQ(btc(50'000'500, 1), RejectReason::TickSize);
    EXPECT_EQ(btc(0, 1), RejectReason::InvalidPrice);
    EXPECT_EQ(btc(-1000, 1), RejectReason::InvalidPrice);
    EXPECT_EQ(btc(20'000'000'000, 1), RejectReason::PriceAboveMaximum);
    EXPECT_EQ(btc(50'000'000, 0), RejectReason::InvalidQuantity);
    EXPECT_EQ(btc(50'000'000, 200'000'000), RejectReason::QuantityAboveMaximum);
    EXPECT_EQ(apply(PlaceOrder{1, 7, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 100, 1}),
              RejectReason::UnknownMarket);
    EXPECT_EQ(
        apply(PlaceOrder{0, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, 100, 1}),
        RejectReason::InvalidAccount);
    EXPECT_EQ(apply(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Market, TimeInForce::IOC, false,
                               100, 1}),
              RejectReason::InvalidPrice);
    EXPECT_EQ(engine_.state_hash(), before);

    // A lot of 5 with a minimum of 10 on a market of its own.
    auto catalog = test_catalog();
    catalog.markets[kTstUsd].lot_size = 5;
    catalog.markets[kTstUsd].min_quantity = 10;
    ASSERT_EQ(catalog.validate(), "");
    MatchingEngine lots(catalog);
    EventLog log;
    const auto place = [&](Quantity q) {
        return lots.apply(Command{1, 0,
                                  PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit,
                                             TimeInForce::GTC, false, 1, q}},
                          log);
    };
    EXPECT_EQ(place(7), RejectReason::LotSize);
    EXPECT_EQ(place(5), RejectReason::QuantityBelowMinimum);
    EXPECT_EQ(place(10), RejectReason::InsufficientBalance);
}

TEST_F(EngineScenario, InsufficientBalanceIsRejectedBeforeAnyChange) {
    const auto before = engine_.state_hash();
    const OrderId buy = limit(1, Side::Buy, 1000, 1000);  // needs 1,001,000 USD
    EXPECT_EQ(last_, RejectReason::InsufficientBalance);
    EXPECT_EQ(log_.take(), one_event(CommandRejected{buy, 1, RejectReason::InsufficientBalance}));
    limit(1, Side::Sell, 10, 10'001);
    EXPECT_EQ(last_, RejectReason::InsufficientBalance);
    EXPECT_EQ(apply(Withdraw{1, kUsd, 1'000'001}), RejectReason::InsufficientBalance);
    EXPECT_EQ(engine_.state_hash(), before);
}

TEST_F(EngineScenario, MarketBuyStopsWhenTheMoneyRunsOutMidSweep) {
    deposit(9, kUsd, 1000);
    const OrderId m1 = limit(2, Side::Sell, 100, 5);  // 500 + fee 0
    const OrderId m2 = limit(3, Side::Sell, 200, 5);  // 1000 + fee 1 for all five
    log_.take();
    const OrderId t = market(9, Side::Buy, 10);
    // After 500 at 100, 500 is left: two lots at 200 cost 400 + 0, three would cost 600.
    const std::vector<Event> expected = {
        OrderAccepted{t, 9, kTstUsd, Side::Buy, OrderType::Market, TimeInForce::IOC, false, 0, 10},
        Trade{1, kTstUsd, 100, 5, t, m1, 9, 2, Side::Buy, 0, 0, 5, 0},
        level(Side::Sell, 100, 0, 0),
        Trade{2, kTstUsd, 200, 2, t, m2, 9, 3, Side::Buy, 0, 0, 3, 3},
        level(Side::Sell, 200, 3, 1),
        OrderCancelled{t, 9, kTstUsd, 3, CancelReason::InsufficientBalance},
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(9, kUsd), (Balance{100, 0}));
    EXPECT_EQ(balance(9, kTst), (Balance{7, 0}));

    // Not even one lot at the best price: 402, nothing changes.
    const OrderId poor = market(9, Side::Buy, 1);
    EXPECT_EQ(last_, RejectReason::InsufficientBalance);
    EXPECT_EQ(log_.take(), one_event(CommandRejected{poor, 9, RejectReason::InsufficientBalance}));
}

TEST_F(EngineScenario, FeesRoundDownAndAllReachTheFeeAccount) {
    // BTC-KRW: 0.0003 BTC at 50,001,000 KRW = 15,000.3 KRW -> 150,003,000 units (scale 4).
    deposit(1, kKrw, 100'000'000'000);  // 10,000,000 KRW
    deposit(2, kBtc, 100'000'000);      // 1 BTC
    const auto place = [&](AccountId account, Side side, Price price, Quantity quantity) {
        return apply(PlaceOrder{account, kBtcKrw, side, OrderType::Limit, TimeInForce::GTC, false,
                                price, quantity});
    };
    ASSERT_EQ(place(2, Side::Sell, 50'001'000, 3), RejectReason::None);
    log_.take();
    ASSERT_EQ(place(1, Side::Buy, 50'001'000, 3), RejectReason::None);
    const Amount notional = 150'003'000;
    const Amount taker_fee = 75'001;  // 0.05% of 150,003,000 = 75,001.5
    const Amount maker_fee = 30'000;  // 0.02% = 30,000.6
    const auto& trade = std::get<Trade>(log_.events[1]);
    EXPECT_EQ(trade.taker_fee, taker_fee);
    EXPECT_EQ(trade.maker_fee, maker_fee);
    EXPECT_EQ(balance(1, kKrw), (Balance{100'000'000'000 - notional - taker_fee, 0}));
    EXPECT_EQ(balance(1, kBtc), (Balance{30'000, 0}));  // 0.0003 BTC at scale 8
    EXPECT_EQ(balance(2, kKrw), (Balance{notional - maker_fee, 0}));
    EXPECT_EQ(balance(kFeeAccount, kKrw), (Balance{taker_fee + maker_fee, 0}));
}

TEST_F(EngineScenario, MoveLosesPriorityAndMatchesAtTheNewPrice) {
    const OrderId a = limit(2, Side::Sell, 101, 5);
    const OrderId b = limit(3, Side::Sell, 101, 5);
    const OrderId bid = limit(1, Side::Buy, 99, 4);
    log_.take();
    // a moves away and back: it is now behind b.
    EXPECT_EQ(apply(AmendOrder{2, a, 102}), RejectReason::None);
    EXPECT_EQ(apply(AmendOrder{2, a, 101}), RejectReason::None);
    log_.take();
    // The bid moves up to 101 and takes 4 from b, the older one now.
    EXPECT_EQ(apply(AmendOrder{1, bid, 101}), RejectReason::None);
    const std::vector<Event> expected = {
        OrderMoved{bid, 1, kTstUsd, 99, 101, 4},
        level(Side::Buy, 99, 0, 0),
        Trade{1, kTstUsd, 101, 4, bid, b, 1, 3, Side::Buy, 0, 0, 0, 1},
        level(Side::Sell, 101, 6, 2),
    };
    EXPECT_EQ(log_.take(), expected);
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000 - 404, 0}));
    EXPECT_EQ(apply(AmendOrder{1, bid, 100}), RejectReason::OrderClosed);
    EXPECT_EQ(apply(AmendOrder{3, a, 100}), RejectReason::NotOwner);
    EXPECT_EQ(apply(AmendOrder{2, a, -5}), RejectReason::InvalidPrice);
    EXPECT_EQ(apply(AmendOrder{2, a, 0}), RejectReason::InvalidQuantity);  // nothing to change
}

TEST_F(EngineScenario, MovingABuyUpNeedsTheExtraHold) {
    deposit(9, kUsd, 1100);
    const OrderId id = limit(9, Side::Buy, 100, 10);  // holds 1001
    EXPECT_EQ(balance(9, kUsd), (Balance{99, 1001}));
    EXPECT_EQ(apply(AmendOrder{9, id, 120}), RejectReason::InsufficientBalance);  // needs 1201
    EXPECT_EQ(engine_.find_order(id)->price, 100);
    EXPECT_EQ(apply(AmendOrder{9, id, 109}), RejectReason::None);  // 1090 + 1
    EXPECT_EQ(balance(9, kUsd), (Balance{9, 1091}));
    EXPECT_EQ(apply(AmendOrder{9, id, 50}), RejectReason::None);  // 500 + 0
    EXPECT_EQ(balance(9, kUsd), (Balance{600, 500}));
}

TEST_F(EngineScenario, AClientOrderIdIsTakenWhileTheEngineRemembersItsOrder) {
    const auto client = *ClientOrderId::parse("my-order-1");
    const auto place = [&](AccountId account, Price price) {
        return apply(PlaceOrder{account, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC,
                                false, price, 1, client});
    };
    ASSERT_EQ(place(1, 100), RejectReason::None);
    const OrderId first = sequence_;
    log_.take();
    EXPECT_EQ(place(1, 101), RejectReason::DuplicateClientOrderId);
    EXPECT_EQ(log_.take(),
              one_event(CommandRejected{first, 1, RejectReason::DuplicateClientOrderId}));
    EXPECT_EQ(place(2, 100), RejectReason::None);  // per account
    EXPECT_EQ(apply(CancelOrder{1, first}), RejectReason::None);
    EXPECT_EQ(place(1, 100), RejectReason::DuplicateClientOrderId);  // still remembered

    // Once the engine forgets the finished order, the id is free again.
    MatchingEngine forgetful(test_catalog(), EngineOptions{.closed_order_memory = 1});
    EventLog log;
    Sequence s = 0;
    const auto apply_to = [&](CommandBody body) {
        return forgetful.apply(Command{++s, 0, std::move(body)}, log);
    };
    apply_to(Deposit{1, kUsd, 1000});
    ASSERT_EQ(apply_to(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::IOC, false,
                                  100, 1, client}),
              RejectReason::None);
    EXPECT_EQ(apply_to(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::IOC, false,
                                  100, 1, client}),
              RejectReason::DuplicateClientOrderId);
    apply_to(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::IOC, false, 100, 1});
    EXPECT_EQ(apply_to(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::IOC, false,
                                  100, 1, client}),
              RejectReason::None);
}

// The ids of the old 64-bit key's collision (FNV-1a seeded with the account): the first bytes
// differ by the XOR of the two accounts. Each account must keep its own order, before and after
// a snapshot round trip, whatever the index's seed.
TEST_F(EngineScenario, ClientOrderIdsAreComparedByAccountAndExactText) {
    const auto alice_id = *ClientOrderId::parse("a-secret-1");
    const auto bob_id = *ClientOrderId::parse("b-secret-1");
    ASSERT_EQ(apply(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false,
                               100, 1, alice_id}),
              RejectReason::None);
    const OrderId alice_order = sequence_;
    ASSERT_EQ(apply(PlaceOrder{2, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false,
                               100, 1, bob_id}),
              RejectReason::None);
    const OrderId bob_order = sequence_;
    ASSERT_NE(engine_.find_order(bob_order), nullptr);
    EXPECT_EQ(engine_.find_order(bob_order)->account, 2u);
    // Bob cannot take Alice's id text either: it is his own, separate id.
    EXPECT_EQ(apply(PlaceOrder{2, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false,
                               100, 1, alice_id}),
              RejectReason::None);
    log_.take();
    EXPECT_EQ(apply(PlaceOrder{1, kTstUsd, Side::Buy, OrderType::Limit, TimeInForce::GTC, false,
                               100, 1, alice_id}),
              RejectReason::DuplicateClientOrderId);
    EXPECT_EQ(log_.take(),
              one_event(CommandRejected{alice_order, 1, RejectReason::DuplicateClientOrderId}));

    std::vector<std::byte> bytes;
    ByteWriter out(bytes);
    engine_.save(out);
    MatchingEngine restored(test_catalog(),
                            EngineOptions{.max_accounts = 100, .client_id_seed = 0x5eed});
    ByteReader in(bytes);
    ASSERT_TRUE(restored.load(in));
    EXPECT_EQ(restored.state_hash(), engine_.state_hash());
    EventLog log;
    EXPECT_EQ(restored.apply(Command{sequence_ + 1, 0,
                                     PlaceOrder{2, kTstUsd, Side::Buy, OrderType::Limit,
                                                TimeInForce::GTC, false, 100, 1, bob_id}},
                             log),
              RejectReason::DuplicateClientOrderId);
    EXPECT_EQ(log.take(),
              one_event(CommandRejected{bob_order, 2, RejectReason::DuplicateClientOrderId}));
}

TEST_F(EngineScenario, EachCommandThatChangesABookBumpsThatBooksVersionOnce) {
    const auto versions = [this] {
        std::vector<BookVersion> out;
        for (const auto& e : std::exchange(log_.events, {})) {
            if (const auto* v = std::get_if<BookVersion>(&e)) out.push_back(*v);
        }
        return out;
    };
    const OrderId resting = limit(2, Side::Sell, 100, 5);
    EXPECT_EQ(versions(), (std::vector<BookVersion>{{kTstUsd, 1}}));
    limit(3, Side::Sell, 101, 5);
    limit(1, Side::Buy, 101, 7);  // two levels change: still one version
    EXPECT_EQ(versions(), (std::vector<BookVersion>{{kTstUsd, 2}, {kTstUsd, 3}}));
    EXPECT_EQ(deposit(1, kUsd, 5), RejectReason::None);                    // no book changed
    EXPECT_EQ(apply(CancelOrder{2, resting}), RejectReason::OrderClosed);  // filled before
    EXPECT_TRUE(versions().empty());
    deposit(1, kKrw, 1'000'000'000'000);
    limit(1, Side::Buy, 90'000'000, 1, TimeInForce::GTC, false, kBtcKrw);  // a book of its own
    ASSERT_EQ(last_, RejectReason::None);
    EXPECT_EQ(versions(), (std::vector<BookVersion>{{kBtcKrw, 1}}));
    // The last event of its command, after the levels.
    limit(4, Side::Buy, 95, 1);
    ASSERT_FALSE(log_.events.empty());
    EXPECT_EQ(log_.events.back(), Event(BookVersion{kTstUsd, 4}));
    log_.take();

    // Snapshots keep them.
    const auto copy = restored();
    EXPECT_EQ(copy->book_version(kTstUsd), 4u);
    EXPECT_EQ(copy->book_version(kBtcKrw), 1u);
}

TEST_F(EngineScenario, DepositsAndWithdrawals) {
    EXPECT_EQ(deposit(7, kTst, 50), RejectReason::None);
    EXPECT_EQ(log_.take(), one_event(FundsDeposited{7, kTst, 50}));
    EXPECT_EQ(apply(Withdraw{7, kTst, 20}), RejectReason::None);
    EXPECT_EQ(log_.take(), one_event(FundsWithdrawn{7, kTst, 20}));
    EXPECT_EQ(balance(7, kTst), (Balance{30, 0}));
    EXPECT_EQ(deposit(7, kTst, 0), RejectReason::InvalidAmount);
    EXPECT_EQ(deposit(7, 99, 1), RejectReason::UnknownAsset);
    EXPECT_EQ(deposit(100, kTst, 1), RejectReason::InvalidAccount);
    EXPECT_EQ(deposit(7, kTst, std::numeric_limits<Amount>::max()), RejectReason::BalanceOverflow);
}

TEST_F(EngineScenario, SnapshotRoundTripKeepsStateAndFutureEvents) {
    limit(1, Side::Buy, 99, 10);
    limit(2, Side::Buy, 99, 5);
    limit(3, Side::Sell, 105, 7);
    const OrderId filled = limit(4, Side::Sell, 99, 3);
    const auto restored_engine = restored();
    MatchingEngine& copy = *restored_engine;
    expect_invariants(copy);

    EventLog copy_log;
    const Command next{
        100, 0,
        PlaceOrder{5, kTstUsd, Side::Sell, OrderType::Limit, TimeInForce::GTC, false, 98, 20}};
    log_.take();
    engine_.apply(next, log_);
    copy.apply(next, copy_log);
    EXPECT_EQ(copy_log.events, log_.events);
    EXPECT_EQ(copy.apply(Command{101, 0, CancelOrder{1, filled}}, copy_log),
              RejectReason::NotOwner);
    EXPECT_EQ(copy.state_hash(), engine_.state_hash());
}

TEST_F(EngineScenario, AmendingDownKeepsPriorityAndUpLosesIt) {
    const OrderId a = limit(2, Side::Sell, 101, 5);
    const OrderId b = limit(3, Side::Sell, 101, 5);
    log_.take();
    // a shrinks to 3: still first in the queue, 2 TST given back.
    EXPECT_EQ(apply(AmendOrder{2, a, 0, 3}), RejectReason::None);
    EXPECT_EQ(log_.take(), (std::vector<Event>{OrderResized{a, 2, kTstUsd, 5, 3, 3},
                                               level(Side::Sell, 101, 8, 2)}));
    EXPECT_EQ(balance(2, kTst), (Balance{10'000 - 3, 3}));
    limit(1, Side::Buy, 101, 2, TimeInForce::IOC);
    EXPECT_EQ(engine_.find_order(a)->filled, 2);
    // b grows to 6: now behind a.
    EXPECT_EQ(apply(AmendOrder{3, b, 0, 6}), RejectReason::None);
    EXPECT_EQ(balance(3, kTst), (Balance{10'000 - 6, 6}));
    log_.take();
    limit(1, Side::Buy, 101, 2, TimeInForce::IOC);
    const auto events = log_.take();
    ASSERT_TRUE(std::holds_alternative<Trade>(events[1]));
    EXPECT_EQ(std::get<Trade>(events[1]).maker_order_id, a);  // a's last 1, then b
    EXPECT_EQ(std::get<Trade>(events[1]).quantity, 1);
    // Down to what has filled is no amendment; a buy's hold follows price and quantity.
    EXPECT_EQ(apply(AmendOrder{3, b, 0, 1}), RejectReason::InvalidQuantity);
    EXPECT_EQ(apply(AmendOrder{3, b, 0, 2}), RejectReason::None);
    const OrderId bid = limit(4, Side::Buy, 90, 10);  // holds 900 + 0.9 -> 900
    EXPECT_EQ(apply(AmendOrder{4, bid, 95, 20}), RejectReason::None);
    EXPECT_EQ(balance(4, kUsd), (Balance{1'000'000 - 1901, 1901}));
    log_.take();
    EXPECT_EQ(apply(AmendOrder{4, bid, 95, 20}), RejectReason::None);  // as it is: nothing
    EXPECT_TRUE(log_.take().empty());
    EXPECT_EQ(balance(4, kUsd), (Balance{1'000'000 - 1901, 1901}));
    EXPECT_EQ(apply(AmendOrder{4, bid, 0, 1'000'001}), RejectReason::QuantityAboveMaximum);
    EXPECT_EQ(apply(AmendOrder{4, bid, 0, 20'000}), RejectReason::InsufficientBalance);
    EXPECT_EQ(engine_.find_order(bid)->quantity, 20);
    apply(CancelOrder{4, bid});
    EXPECT_EQ(apply(AmendOrder{4, bid, 96}), RejectReason::OrderClosed);
}

TEST_F(EngineScenario, CancelAllCancelsTheAccountsOrdersOldestFirst) {
    deposit(1, kKrw, 1'000'000'000'000);
    const OrderId a = limit(1, Side::Buy, 95, 5);
    const OrderId b = limit(1, Side::Buy, 90'000'000, 1, TimeInForce::GTC, false, kBtcKrw);
    const OrderId c = limit(1, Side::Sell, 110, 4);
    const OrderId other = limit(2, Side::Sell, 111, 4);
    log_.take();
    EXPECT_EQ(apply(CancelAllOrders{1, kTstUsd}), RejectReason::None);
    EXPECT_EQ(log_.take(), (std::vector<Event>{
                               OrderCancelled{a, 1, kTstUsd, 5, CancelReason::Requested},
                               level(Side::Buy, 95, 0, 0),
                               OrderCancelled{c, 1, kTstUsd, 4, CancelReason::Requested},
                               level(Side::Sell, 110, 0, 0),
                           }));
    EXPECT_EQ(apply(CancelAllOrders{1}), RejectReason::None);  // every market: b is left
    const auto events = log_.take();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(events[0], Event(OrderCancelled{b, 1, kBtcKrw, 1, CancelReason::Requested}));
    EXPECT_EQ(balance(1, kUsd), (Balance{1'000'000, 0}));
    EXPECT_EQ(balance(1, kKrw), (Balance{1'000'000'000'000, 0}));
    EXPECT_NE(engine_.find_order(other), nullptr);
    EXPECT_EQ(apply(CancelAllOrders{1}), RejectReason::None);  // nothing left: no events
    EXPECT_TRUE(log_.take().empty());
    EXPECT_EQ(apply(CancelAllOrders{1, 7}), RejectReason::UnknownMarket);
}

TEST_F(EngineScenario, AHaltedMarketRefusesOrdersAndAmendmentsButTakesCancels) {
    const OrderId resting = limit(1, Side::Buy, 95, 5);
    log_.take();
    EXPECT_EQ(apply(SetMarketHalted{kTstUsd, true}), RejectReason::None);
    EXPECT_EQ(log_.take(), one_event(MarketHaltChanged{kTstUsd, true}));
    EXPECT_TRUE(engine_.halted(kTstUsd));
    EXPECT_EQ(apply(SetMarketHalted{kTstUsd, true}), RejectReason::None);  // already: no event
    EXPECT_TRUE(log_.take().empty());
    limit(2, Side::Sell, 95, 5);
    EXPECT_EQ(last_, RejectReason::MarketHalted);
    market(2, Side::Sell, 5);
    EXPECT_EQ(last_, RejectReason::MarketHalted);
    EXPECT_EQ(apply(AmendOrder{1, resting, 96}), RejectReason::MarketHalted);
    deposit(1, kKrw, 1'000'000'000'000);
    limit(1, Side::Buy, 90'000'000, 1, TimeInForce::GTC, false, kBtcKrw);  // another market
    EXPECT_EQ(last_, RejectReason::None);
    EXPECT_EQ(apply(CancelOrder{1, resting}), RejectReason::None);
    EXPECT_EQ(apply(SetMarketHalted{kTstUsd, false}), RejectReason::None);
    limit(2, Side::Sell, 95, 5);
    EXPECT_EQ(last_, RejectReason::None);
    EXPECT_EQ(apply(SetMarketHalted{9, true}), RejectReason::UnknownMarket);
}

TEST_F(EngineScenario, LimitPricesOutsideTheBandAroundTheLastTradeAreRefused) {
    MarketCatalog catalog = test_catalog();
    catalog.markets[kTstUsd].price_band_ppm = 100'000;  // 10 %
    MatchingEngine banded(catalog, EngineOptions{.max_accounts = 100});
    EventLog log;
    Sequence seq = 0;
    const auto run = [&](CommandBody body) {
        return banded.apply(Command{++seq, 0, std::move(body)}, log);
    };
    const auto order = [&](AccountId account, Side side, Price price) {
        return run(PlaceOrder{account, kTstUsd, side, OrderType::Limit, TimeInForce::GTC, false,
                              price, 1});
    };
    run(Deposit{1, kUsd, 1'000'000});
    run(Deposit{2, kTst, 1'000});
    EXPECT_EQ(order(1, Side::Buy, 500), RejectReason::None);  // no trade yet: no band
    EXPECT_EQ(order(2, Side::Sell, 100), RejectReason::None);
    EXPECT_EQ(banded.last_price(kTstUsd), 500);
    EXPECT_EQ(order(1, Side::Buy, 551), RejectReason::PriceOutOfBand);
    EXPECT_EQ(order(2, Side::Sell, 449), RejectReason::PriceOutOfBand);
    EXPECT_EQ(order(1, Side::Buy, 450), RejectReason::None);  // 10 % exactly is in
    const OrderId resting = seq;
    EXPECT_EQ(run(AmendOrder{1, resting, 449}), RejectReason::PriceOutOfBand);
    EXPECT_EQ(
        run(PlaceOrder{2, kTstUsd, Side::Sell, OrderType::Market, TimeInForce::IOC, false, 0, 1}),
        RejectReason::None);  // no price, no band
}

TEST_F(EngineScenario, StopOrdersWaitOffTheBookAndTriggerInOrder) {
    limit(2, Side::Sell, 100, 1);
    limit(1, Side::Buy, 100, 1);  // last price 100
    limit(2, Side::Sell, 103, 10);
    const auto stop = [&](AccountId account, Side side, OrderType type, Price stop_price,
                          Price price, Quantity quantity) {
        last_ = apply(PlaceOrder{account, kTstUsd, side, type, TimeInForce::GTC, false, price,
                                 quantity, ClientOrderId{}, stop_price});
        return sequence_;
    };
    const OrderId late = stop(3, Side::Buy, OrderType::StopLimit, 102, 103, 2);
    log_.take();
    const OrderId early = stop(4, Side::Buy, OrderType::StopMarket, 101, 0, 3);
    EXPECT_EQ(last_, RejectReason::None);
    EXPECT_EQ(log_.take(),
              one_event(OrderAccepted{early, 4, kTstUsd, Side::Buy, OrderType::StopMarket,
                                      TimeInForce::IOC, false, 0, 3}));
    EXPECT_EQ(balance(3, kUsd), (Balance{1'000'000 - 206, 206}));  // 2 x 103 + fee 0
    EXPECT_EQ(balance(4, kUsd), (Balance{1'000'000 - 303, 303}));  // 3 x 101 at the stop
    EXPECT_TRUE(engine_.find_order(early)->waiting);
    EXPECT_EQ(engine_.book(kTstUsd).best(Side::Buy), nullptr);

    // A trade at 103 reaches both: the stop crossed first (101) triggers first.
    const OrderId taker = limit(5, Side::Buy, 103, 1);
    const auto events = log_.take();
    std::vector<Event> triggers;
    for (const auto& e : events) {
        if (std::holds_alternative<StopTriggered>(e)) triggers.push_back(e);
    }
    EXPECT_EQ(triggers, (std::vector<Event>{StopTriggered{early, 4, kTstUsd, 101, 103},
                                            StopTriggered{late, 3, kTstUsd, 102, 103}}));
    EXPECT_EQ(engine_.find_order(taker), nullptr);
    EXPECT_EQ(engine_.find_order(early), nullptr);  // a market buy of 3 at 103: filled
    EXPECT_EQ(balance(4, kTst), (Balance{10'000 + 3, 0}));
    EXPECT_EQ(balance(4, kUsd).held, 0);
    EXPECT_EQ(engine_.find_order(late), nullptr);  // 2 at 103: filled
    EXPECT_EQ(balance(3, kTst), (Balance{10'000 + 2, 0}));

    // A stop already reached triggers at once; a waiting one cancels and gives its hold back.
    const OrderId now = stop(3, Side::Sell, OrderType::StopMarket, 104, 0, 1);
    EXPECT_EQ(log_.take()[1], Event(StopTriggered{now, 3, kTstUsd, 104, 103}));
    const OrderId waiting = stop(3, Side::Sell, OrderType::StopLimit, 90, 89, 5);
    EXPECT_EQ(balance(3, kTst).held, 5);
    EXPECT_EQ(apply(AmendOrder{3, waiting, 88}), RejectReason::InvalidOrderType);
    EXPECT_EQ(apply(CancelOrder{3, waiting}), RejectReason::None);
    EXPECT_EQ(balance(3, kTst).held, 0);
    // Wrong stop prices and prices.
    stop(3, Side::Buy, OrderType::StopLimit, 0, 105, 1);
    EXPECT_EQ(last_, RejectReason::InvalidStopPrice);
    stop(3, Side::Buy, OrderType::StopMarket, 105, 105, 1);
    EXPECT_EQ(last_, RejectReason::InvalidPrice);
    stop(3, Side::Buy, OrderType::Limit, 105, 105, 1);
    EXPECT_EQ(last_, RejectReason::InvalidStopPrice);
}

TEST_F(EngineScenario, SnapshotsKeepStopsHaltsAndLastPrices) {
    limit(2, Side::Sell, 100, 1);
    limit(1, Side::Buy, 100, 1);
    apply(PlaceOrder{3, kTstUsd, Side::Sell, OrderType::StopLimit, TimeInForce::GTC, false, 94, 2,
                     ClientOrderId{}, 95});
    const OrderId stop = sequence_;
    apply(SetMarketHalted{kTstUsd, true});
    const auto restored_engine = restored();
    MatchingEngine& copy = *restored_engine;
    EXPECT_TRUE(copy.halted(kTstUsd));
    EXPECT_EQ(copy.last_price(kTstUsd), 100);
    ASSERT_NE(copy.find_order(stop), nullptr);
    EXPECT_TRUE(copy.find_order(stop)->waiting);
    expect_invariants(copy);
    // Both go on the same way: the stop is cancelled by a cancel-all.
    EventLog copy_log;
    for (const CommandBody& body :
         {CommandBody{SetMarketHalted{kTstUsd, false}}, CommandBody{CancelAllOrders{3}}}) {
        const Command next{++sequence_, 0, body};
        log_.take();
        engine_.apply(next, log_);
        copy.apply(next, copy_log);
        EXPECT_EQ(std::exchange(copy_log.events, {}), log_.events);
    }
    EXPECT_EQ(copy.find_order(stop), nullptr);
    EXPECT_EQ(copy.state_hash(), engine_.state_hash());
}

}  // namespace
}  // namespace xtrader
