// The journal follower feeding the trade store, against a journal a real sequencer wrote.
#include "xtrader/consumers/trade_recorder.hpp"

#include <gtest/gtest.h>

#include <future>

#include "order_flow.hpp"
#include "temp_dir.hpp"
#include "xtrader/consumers/order_projection.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"
#include "xtrader/store/sqlite_trade_store.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

// A store whose writes fail a given number of times first, as a database that is down.
class FlakyStore final : public TradeStore {
  public:
    FlakyStore(TradeStore& real, int failures) : real_(real), failures_(failures) {}
    Sequence position() override { return real_.position(); }
    void write(const TradeBatch& batch) override {
        if (failures_-- > 0) throw std::runtime_error("store is down");
        real_.write(batch);
    }
    std::vector<ExecutionRecord> executions(const ExecutionQuery& q) override {
        return real_.executions(q);
    }
    std::vector<ExecutionRecord> trades_since(Timestamp from) override {
        return real_.trades_since(from);
    }
    std::optional<OrderRecord> order(OrderId id) override { return real_.order(id); }
    std::optional<OrderRecord> order_by_client_id(AccountId account,
                                                  const ClientOrderId& id) override {
        return real_.order_by_client_id(account, id);
    }
    std::vector<OrderRecord> closed_orders(AccountId account, std::optional<MarketId> market,
                                           std::size_t limit,
                                           std::optional<OrderId> before) override {
        return real_.closed_orders(account, market, limit, before);
    }
    std::vector<OrderRecord> open_orders() override { return real_.open_orders(); }
    std::vector<OrderRecord> finished_orders(std::size_t n) override {
        return real_.finished_orders(n);
    }
    std::vector<OrderRecord> order_events(Sequence after, Sequence upto) override {
        return real_.order_events(after, upto);
    }
    std::vector<DailyActivity> activity(Timestamp from, Timestamp to) override {
        return real_.activity(from, to);
    }

  private:
    TradeStore& real_;
    int failures_;
};

// Runs `count` commands through a sequencer on dir; returns the engine's trades and open orders.
struct FlowRun {
    std::size_t trades = 0;
    Sequence last = 0;
};
FlowRun run_flow(MatchingEngine& engine, const std::filesystem::path& dir, std::size_t count) {
    StepClock clock;
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = dir, .snapshot_every = 0}, 0);
    sequencer.start();
    OrderFlow flow(77);
    FlowRun run;
    std::atomic<std::size_t> answered{0};
    std::promise<void> all;
    auto commands = flow.funding();
    while (commands.size() < count) commands.push_back(flow.next(commands.size() + 1));
    for (const auto& c : commands) {
        while (sequencer.submit(c, [&](const CommandReply& reply) {
            for (const auto& e : reply.events) run.trades += std::holds_alternative<Trade>(e);
            if (++answered == count) all.set_value();
        }) != SubmitResult::Accepted) {
            std::this_thread::yield();
        }
    }
    all.get_future().wait();
    run.last = sequencer.committed_sequence();
    return run;
}

TEST(TradeRecorder, StoresEveryExecutionOnceAndTheOpenOrdersAsTheEngineHasThem) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    const FlowRun run = run_flow(engine, dir.path(), 20'000);
    ASSERT_GT(run.trades, 1000u);

    SqliteTradeStore real(dir.path() / "trades.sqlite");
    FlakyStore flaky(real, 3);  // the first writes fail: the follower must retry, not skip
    TradeRecorder recorder(flaky);
    JournalFollower follower(
        "trade-store", journal_dir(dir.path()), [&] { return run.last; }, recorder,
        FollowerOptions{.max_batch = 500, .probe_interval = std::chrono::milliseconds(1)});
    follower.start();
    while (follower.cursor().load() < run.last)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    follower.stop();
    EXPECT_EQ(follower.failures(), 3u);
    EXPECT_EQ(real.position(), run.last);

    std::size_t rows = 0;
    for (AccountId a = 1; a <= 10; ++a) {
        const auto mine = real.executions({.account = a, .limit = 1'000'000});
        rows += mine.size();
    }
    EXPECT_EQ(rows, 2 * run.trades);  // taker and maker side, each once

    // Open orders in the store are exactly the engine's resting orders, in the same state.
    const auto open = real.open_orders();
    EXPECT_EQ(open.size(), engine.open_order_count());
    for (const auto& o : open) {
        const Order* live = engine.find_order(o.id);
        ASSERT_NE(live, nullptr) << o.id;
        EXPECT_EQ(o.filled, live->filled);
        EXPECT_EQ(o.price, live->price);
        EXPECT_EQ(o.remaining(), live->remaining());
    }

    // A second follower over the same store resumes at its position and adds nothing.
    TradeRecorder again(real);
    JournalFollower resumed(
        "trade-store", journal_dir(dir.path()), [&] { return run.last; }, again);
    resumed.catch_up(run.last);
    std::size_t rows_after = 0;
    for (AccountId a = 1; a <= 10; ++a)
        rows_after += real.executions({.account = a, .limit = 1'000'000}).size();
    EXPECT_EQ(rows_after, rows);
}

TEST(OrderProjection, APlacedOrderTakesItsStatusFromItsOwnEvents) {
    const PlaceOrder place{1, 0, Side::Buy, OrderType::Limit, TimeInForce::IOC, false, 100, 10};
    const std::vector<Event> events = {
        OrderAccepted{5, 1, 0, Side::Buy, OrderType::Limit, TimeInForce::IOC, false, 100, 10},
        Trade{1, 0, 99, 4, 5, 3, 1, 2, Side::Buy, 0, 0, 6, 0},
        OrderCancelled{5, 1, 0, 6, CancelReason::Unfilled}};
    const auto o = placed_order(5, 1000, place, events);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->status, OrderStatus::Cancelled);
    EXPECT_EQ(o->reason, "unfilled");
    EXPECT_EQ(o->filled, 4);
    EXPECT_EQ(o->average_price(), 99);
    EXPECT_FALSE(placed_order(
        6, 0, place, std::vector<Event>{CommandRejected{6, 1, RejectReason::InsufficientBalance}}));
    const auto rejected = placed_order(
        7, 0, place, std::vector<Event>{CommandRejected{7, 1, RejectReason::NoLiquidity}});
    ASSERT_TRUE(rejected);
    EXPECT_EQ(rejected->status, OrderStatus::Rejected);
    EXPECT_EQ(rejected->reason, "no_liquidity");
}

}  // namespace
}  // namespace xtrader
