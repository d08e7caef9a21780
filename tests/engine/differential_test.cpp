// Differential test: a million seeded random commands through MatchingEngine and through the
// plain ReferenceExchange must give the same answers, the same events in the same order and the
// same state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>

#include "reference_model.hpp"
#include "test_markets.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

constexpr std::size_t kMaxAccounts = 24;     // ids 1..20 trade; 24+ are refused
constexpr std::size_t kClosedMemory = 5000;  // small, so that forgetting is exercised too

class CommandGenerator {
  public:
    explicit CommandGenerator(std::uint64_t seed) : rng_(seed) {}

    CommandBody next(const ReferenceExchange& reference, Sequence sequence) {
        if (sequence % 1000 == 0) {
            mid_[0] = std::clamp<Price>(mid_[0] + pick(-3, 3), 100, 5000);
            mid_[1] = std::clamp<Price>(mid_[1] + pick(-3, 3) * 1000, 10'000'000, 90'000'000);
        }
        const int roll = static_cast<int>(pick(0, 99));
        const auto& orders = reference.orders();
        // Keep the books at a few hundred orders: past that, cancel more.
        if (roll < 35 && orders.size() > 400) return cancel_or_move(reference, true);
        if (roll < 3) return stop_order(reference);
        if (roll < 35) return limit(TimeInForce::GTC, pick(0, 9) == 0);
        if (roll < 42) return limit(TimeInForce::IOC, false);
        if (roll < 47) return limit(TimeInForce::FOK, false);
        if (roll < 54) {
            auto p = limit(static_cast<TimeInForce>(pick(0, 2)), false);
            p.type = OrderType::Market;
            p.price = pick(0, 99) == 0 ? p.price : 0;  // now and then a price where none belongs
            return p;
        }
        if (roll < 88) return cancel_or_move(reference, roll < 72);
        // Now and then a cancel-all, or a market halted for a while (resumes are likelier).
        if (roll == 88 && pick(0, 9) == 0) {
            const auto market = pick(0, 3);
            return CancelAllOrders{account(),
                                   market == 3 ? kAllMarkets : static_cast<MarketId>(market)};
        }
        if (roll == 89 && pick(0, 19) == 0) {
            return SetMarketHalted{static_cast<MarketId>(pick(0, 2)), pick(0, 3) == 0};
        }
        if (roll < 90) return limit(TimeInForce::GTC, false);
        const AssetId asset = static_cast<AssetId>(pick(0, 4));  // 4 does not exist
        const Amount amount = pick(0, 20) == 0 ? pick(-5, 0) : pick(1, 2'000'000) * scale(asset);
        if (roll < 96) return Deposit{account(), asset, amount};
        return Withdraw{account(), asset, amount};
    }

  private:
    std::int64_t pick(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
    }
    static Amount scale(AssetId asset) { return asset == kKrw ? 100'000 : 1; }
    AccountId account() {
        const auto roll = pick(0, 199);
        if (roll == 0) return 0;             // the fee account
        if (roll == 1) return kMaxAccounts;  // beyond the limit
        return static_cast<AccountId>(pick(1, 20));
    }

    PlaceOrder limit(TimeInForce tif, bool post_only) {
        PlaceOrder p;
        p.account = account();
        p.market = pick(0, 499) == 0 ? 2 : static_cast<MarketId>(pick(0, 1));
        p.side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        p.type = OrderType::Limit;
        p.tif = tif;
        p.post_only = post_only;
        const MarketId m = p.market == 2 ? 0 : p.market;
        const Price tick = m == 0 ? 1 : 1000;
        // Mostly on the passive side of the mid, sometimes through it: a book of a few hundred
        // orders with regular crossing.
        const Price offset = pick(-6, 30) * tick;
        p.price = p.side == Side::Buy ? mid_[m] - offset : mid_[m] + offset;
        if (pick(0, 99) == 0) p.price += tick / 2 + (m == 0 ? 0 : 1);  // off the tick (or 0 move)
        if (pick(0, 199) == 0) p.price = 0;
        p.quantity = pick(0, 199) == 0 ? 0 : pick(1, 40);
        if (pick(0, 499) == 0) p.stop_price = p.price;  // a stop price where none belongs
        // Some orders carry a client id from a small pool, so that ids are often still taken.
        if (pick(0, 9) == 0) {
            p.client_order_id = *ClientOrderId::parse("c-" + std::to_string(pick(1, 50)));
        }
        return p;
    }

    // A stop order: buys stop above the mid, sells below, now and then already reached. Waiting
    // orders are kept to a few hundred: past that, one is cancelled instead.
    CommandBody stop_order(const ReferenceExchange& reference) {
        const auto& stops = reference.stops();
        if (stops.size() > 300) {
            const auto& o = stops[static_cast<std::size_t>(pick(0, stops.size() - 1))];
            return CancelOrder{o.account, o.id};
        }
        PlaceOrder p = limit(pick(0, 9) == 0 ? TimeInForce::FOK : TimeInForce::GTC, false);
        const MarketId m = p.market == 2 ? 0 : p.market;
        const Price tick = m == 0 ? 1 : 1000;
        const Price offset = pick(-3, 20) * tick;
        p.stop_price = p.side == Side::Buy ? mid_[m] + offset : mid_[m] - offset;
        if (pick(0, 99) == 0) p.stop_price = pick(0, 1) == 0 ? 0 : p.stop_price + tick / 2 + 1;
        p.type = pick(0, 1) == 0 ? OrderType::StopLimit : OrderType::StopMarket;
        if (p.type == OrderType::StopLimit) {
            p.price = p.stop_price + (p.side == Side::Buy ? 1 : -1) * pick(-1, 5) * tick;
        } else if (pick(0, 99) != 0) {
            p.price = 0;  // now and then a price where none belongs
        }
        return p;
    }

    CommandBody cancel_or_move(const ReferenceExchange& reference, bool cancel) {
        const auto& orders =
            pick(0, 9) == 0 && !reference.stops().empty() ? reference.stops() : reference.orders();
        OrderId id;
        AccountId owner;
        const auto roll = pick(0, 9);
        if (!orders.empty() && roll < 8) {
            const auto& o = orders[static_cast<std::size_t>(pick(0, orders.size() - 1))];
            id = o.id;
            owner = pick(0, 9) == 0 ? account() : o.account;
        } else {
            id = static_cast<OrderId>(pick(1, 1'000'000));  // long gone, never existed or later
            owner = account();
        }
        if (cancel) return CancelOrder{owner, id};
        // A move price fits the order's market and side when the order is live.
        MarketId m = static_cast<MarketId>(pick(0, 1));
        Side side = Side::Buy;
        for (const auto& o : orders) {
            if (o.id == id) {
                m = o.market;
                side = o.side;
            }
        }
        const Price offset = pick(-6, 30) * (m == 0 ? 1 : 1000);
        Price price = side == Side::Buy ? mid_[m] - offset : mid_[m] + offset;
        if (pick(0, 99) == 0) price = -price;
        // A new price, a new quantity (smaller, larger, sometimes invalid) or both.
        const auto what = pick(0, 2);
        const Quantity quantity = pick(0, 99) == 0 ? pick(-1, 0) : pick(1, 40);
        return AmendOrder{owner, id, what == 1 ? 0 : price, what == 0 ? 0 : quantity};
    }

    std::mt19937_64 rng_;
    Price mid_[2] = {1000, 50'000'000};
};

void expect_same_state(const MatchingEngine& engine, const ReferenceExchange& reference) {
    const auto& catalog = engine.catalog();
    for (AccountId account = 0; account < kMaxAccounts; ++account) {
        for (AssetId asset = 0; asset < catalog.assets.size(); ++asset) {
            ASSERT_EQ(engine.ledger().balance(account, asset), reference.balance(account, asset))
                << "account " << account << " asset " << asset;
        }
    }
    ASSERT_EQ(engine.open_order_count(), reference.orders().size() + reference.stops().size());
    for (const auto& r : reference.stops()) {
        const Order* o = engine.find_order(r.id);
        ASSERT_NE(o, nullptr) << "stop order " << r.id;
        EXPECT_TRUE(o->waiting);
        EXPECT_EQ(o->stop_price, r.stop_price);
        EXPECT_EQ(o->held, r.held);
    }
    for (MarketId market = 0; market < catalog.markets.size(); ++market) {
        EXPECT_EQ(engine.halted(market), reference.halted(market));
        EXPECT_EQ(engine.last_price(market), reference.last_price(market));
    }
    for (const auto& r : reference.orders()) {
        const Order* o = engine.find_order(r.id);
        ASSERT_NE(o, nullptr) << "order " << r.id;
        EXPECT_EQ(o->account, r.account);
        EXPECT_EQ(o->market, r.market);
        EXPECT_EQ(o->side, r.side);
        EXPECT_EQ(o->price, r.price);
        EXPECT_EQ(o->quantity, r.quantity);
        EXPECT_EQ(o->filled, r.filled);
        EXPECT_EQ(o->held, r.held);
    }
    // Time priority: each level's FIFO is the reference's priority order.
    for (MarketId market = 0; market < catalog.markets.size(); ++market) {
        for (Side side : {Side::Buy, Side::Sell}) {
            engine.book(market).for_each_level(side, [&](const PriceLevel& level) {
                std::vector<std::pair<std::uint64_t, OrderId>> expected;
                for (const auto& r : reference.orders()) {
                    if (r.market == market && r.side == side && r.price == level.price) {
                        expected.emplace_back(r.priority, r.id);
                    }
                }
                std::sort(expected.begin(), expected.end());
                std::size_t i = 0;
                for (const Order* o = level.head; o != nullptr; o = o->next, ++i) {
                    EXPECT_LT(i, expected.size());
                    if (i < expected.size()) {
                        EXPECT_EQ(o->id, expected[i].second);
                    }
                }
                EXPECT_EQ(i, expected.size());
                return true;
            });
        }
    }
}

TEST(EngineDifferential, MillionRandomCommandsMatchTheReferenceModel) {
    std::size_t commands = 1'000'000;
    if (const char* env = std::getenv("XTRADER_DIFFERENTIAL_COMMANDS")) {
        commands = std::strtoull(env, nullptr, 10);
    }
    const EngineOptions options{.max_accounts = kMaxAccounts, .closed_order_memory = kClosedMemory};
    // A band on the second market so narrow that orders through the mid now and then break it.
    MarketCatalog catalog = test_catalog();
    catalog.markets[1].price_band_ppm = 500;
    MatchingEngine engine(catalog, options);
    ReferenceExchange reference(catalog, kMaxAccounts, kClosedMemory);
    CommandGenerator generator(20261124);
    EventLog log;
    std::vector<Event> expected;
    std::size_t trades = 0;
    std::size_t rejects = 0;
    std::size_t resting = 0;
    std::size_t resizes = 0;
    std::size_t halts = 0;
    std::size_t triggers = 0;
    std::size_t cancel_alls = 0;  // that cancelled something

    // Fund everybody first, generously but not equally, so that balance failures happen too.
    Sequence sequence = 0;
    for (AccountId account = 1; account <= 20; ++account) {
        for (AssetId asset = 0; asset < 4; ++asset) {
            const Amount amount =
                Amount{account % 5 == 0 ? 2'000 : 5'000'000} * (asset == kKrw   ? 100'000'000
                                                                : asset == kBtc ? 10'000
                                                                                : 1);
            const Command c{++sequence, 0, Deposit{account, asset, amount}};
            engine.apply(c, log);
            reference.apply(c, expected);
        }
    }

    for (std::size_t i = 0; i < commands; ++i) {
        const Command c{++sequence, static_cast<Timestamp>(sequence),
                        generator.next(reference, sequence)};
        log.events.clear();
        expected.clear();
        const RejectReason got = engine.apply(c, log);
        const RejectReason want = reference.apply(c, expected);
        ASSERT_EQ(got, want) << "command " << sequence;
        ASSERT_EQ(log.events, expected) << "events of command " << sequence;
        for (const auto& e : expected) {
            trades += std::holds_alternative<Trade>(e);
            resizes += std::holds_alternative<OrderResized>(e);
            halts += std::holds_alternative<MarketHaltChanged>(e);
            triggers += std::holds_alternative<StopTriggered>(e);
        }
        cancel_alls += std::holds_alternative<CancelAllOrders>(c.body) && expected.size() > 1;
        rejects += want != RejectReason::None;
        resting += engine.open_order_count();
        if (sequence % 50'000 == 0) {
            expect_same_state(engine, reference);
            expect_invariants(engine);
            if (::testing::Test::HasFailure()) FAIL() << "state differs at " << sequence;
        }
    }
    expect_same_state(engine, reference);
    expect_invariants(engine);
    // The stream must have exercised the interesting paths, not only rejections.
    EXPECT_GT(trades, commands / 10);
    EXPECT_LT(rejects, commands / 2);
    EXPECT_GT(resting / commands, 100u);  // deep enough books for priority and sweeps to matter
    EXPECT_GT(resizes, commands / 100);
    EXPECT_GT(halts, 20u);
    EXPECT_GT(triggers, commands / 200);
    EXPECT_GT(cancel_alls, 100u);
    std::printf(
        "%zu commands, %zu trades, %zu rejected, %zu orders resting on average, %zu resized, "
        "%zu halts or resumes, %zu cancel-alls, %zu stops triggered\n",
        commands, trades, rejects, resting / commands, resizes, halts, cancel_alls, triggers);
}

}  // namespace
}  // namespace xtrader
