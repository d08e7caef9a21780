#include "xtrader/store/sqlite_trade_store.hpp"

#include <gtest/gtest.h>

#include "temp_dir.hpp"

namespace xtrader {
namespace {

using testing::TempDir;

OrderRecord order(OrderId id, OrderStatus status, Timestamp updated) {
    OrderRecord o;
    o.id = id;
    o.account = 7;
    o.market = 1;
    o.side = Side::Sell;
    o.price = 50'000'000;
    o.quantity = 10;
    o.filled = status == OrderStatus::Filled ? 10 : 0;
    o.price_volume = o.filled * o.price;
    o.status = status;
    o.reason = status == OrderStatus::Cancelled ? "requested" : "";
    o.client_order_id = *ClientOrderId::parse("c-" + std::to_string(id));
    o.created = 1000;
    o.updated = updated;
    o.sequence = id;
    return o;
}

ExecutionRecord execution(ExecId id, bool maker, Timestamp time) {
    return {id,
            maker ? 7u : 8u,
            maker ? 11u : 12u,
            1,
            maker ? Side::Sell : Side::Buy,
            50'000'000,
            3,
            75,
            maker,
            time,
            id};
}

TEST(SqliteTradeStore, WritesABatchAndItsPositionTogetherAndReadsThemBack) {
    TempDir dir;
    {
        SqliteTradeStore store(dir.path() / "trades.sqlite");
        EXPECT_EQ(store.position(), 0u);
        store.write({{execution(1, false, 100), execution(1, true, 100), execution(2, true, 200)},
                     {order(11, OrderStatus::Pending, 100), order(12, OrderStatus::Filled, 200)},
                     42});
        // The same executions again (a replay) are kept once; an order's new state replaces it.
        store.write({{execution(2, true, 200), execution(3, true, 300)},
                     {order(11, OrderStatus::Cancelled, 300)},
                     50});
    }
    SqliteTradeStore store(dir.path() / "trades.sqlite");  // reopened: migrations not rerun
    EXPECT_EQ(store.position(), 50u);
    const auto mine = store.executions({.account = 7});
    ASSERT_EQ(mine.size(), 3u);
    EXPECT_EQ(mine[0], execution(3, true, 300));  // newest first
    EXPECT_EQ(mine[2], execution(1, true, 100));
    EXPECT_EQ(store.executions({.account = 7, .from = 150, .to = 300}).size(), 1u);
    EXPECT_EQ(store.executions({.account = 7, .limit = 2}).size(), 2u);
    EXPECT_EQ(store.executions({.account = 8}).size(), 1u);
    EXPECT_EQ(store.executions({.account = 7, .market = 2}).size(), 0u);
    EXPECT_EQ(store.executions({.account = 8, .order_id = 12}).size(), 1u);
    // Pages: after the first page's last row, the rest.
    const auto next = store.executions({.account = 7, .limit = 2, .after = ListPosition{200, 2}});
    ASSERT_EQ(next.size(), 1u);
    EXPECT_EQ(next[0], execution(1, true, 100));

    EXPECT_EQ(store.order(11), order(11, OrderStatus::Cancelled, 300));
    EXPECT_EQ(store.order(99), std::nullopt);
    EXPECT_TRUE(store.open_orders().empty());
    const auto finished = store.finished_orders(10);
    ASSERT_EQ(finished.size(), 2u);
    EXPECT_EQ(finished[0].id, 12u);  // the most recently placed first
}

TEST(SqliteTradeStore, ListsAnAccountsClosedOrdersNewestFirstInPages) {
    TempDir dir;
    SqliteTradeStore store(dir.path() / "trades.sqlite");
    constexpr Timestamp ms = kNanosPerMilli;
    auto elsewhere = order(14, OrderStatus::Filled, 5 * ms);
    elsewhere.market = 2;
    auto others = order(15, OrderStatus::Filled, 6 * ms);
    others.account = 8;
    // By id, whenever each finished.
    store.write({{},
                 {order(11, OrderStatus::Cancelled, 9 * ms), order(12, OrderStatus::Filled, 2 * ms),
                  order(13, OrderStatus::Pending, 3 * ms), elsewhere, others,
                  order(16, OrderStatus::Filled, 4 * ms + 1)},
                 9});
    const auto ids = [](const std::vector<OrderRecord>& orders) {
        std::vector<OrderId> out;
        for (const auto& o : orders) out.push_back(o.id);
        return out;
    };
    EXPECT_EQ(ids(store.closed_orders(7, std::nullopt, 10, std::nullopt)),
              (std::vector<OrderId>{16, 14, 12, 11}));
    EXPECT_EQ(ids(store.closed_orders(7, MarketId{1}, 10, std::nullopt)),
              (std::vector<OrderId>{16, 12, 11}));
    EXPECT_EQ(ids(store.closed_orders(7, std::nullopt, 1, std::nullopt)),
              (std::vector<OrderId>{16}));
    EXPECT_TRUE(store.closed_orders(9, std::nullopt, 10, std::nullopt).empty());
    // The next page: below the last id of the previous one.
    EXPECT_EQ(ids(store.closed_orders(7, std::nullopt, 2, OrderId{14})),
              (std::vector<OrderId>{12, 11}));
}

TEST(SqliteTradeStore, KeepsTheOrderEventsOutboxInOrderUntilItIsPublished) {
    TempDir dir;
    SqliteTradeStore store(dir.path() / "trades.sqlite");
    auto accepted = order(11, OrderStatus::Pending, 100);
    auto filled = order(11, OrderStatus::Filled, 100);  // the same command, a later change
    auto other = order(12, OrderStatus::Pending, 200);
    TradeBatch first{{}, {filled}, 11};
    first.order_events = {accepted, filled};
    store.write(first);
    TradeBatch second{{}, {other}, 12};
    second.order_events = {other};
    store.write(second);
    EXPECT_EQ(store.order_events(0, 12), (std::vector<OrderRecord>{accepted, filled, other}));
    EXPECT_EQ(store.order_events(11, 12), (std::vector<OrderRecord>{other}));
    EXPECT_TRUE(store.order_events(0, 10).empty());

    // The publisher has taken up to 11: those go with the next batch.
    TradeBatch third{{}, {}, 13};
    third.published_order_events = 11;
    store.write(third);
    EXPECT_EQ(store.order_events(0, 13), (std::vector<OrderRecord>{other}));
}

}  // namespace
}  // namespace xtrader
