// The order view, fed by a real sequencer, agrees with the engine on every open order.
#include "xtrader/api/order_view.hpp"

#include <gtest/gtest.h>

#include "order_flow.hpp"
#include "temp_dir.hpp"

namespace xtrader::api {
namespace {

using namespace xtrader::testing;

TEST(OrderView, AgreesWithTheEngineAndAnswersBeforeTheReply) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    OrderView view(/*finished_retention=*/1000);
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = dir.path()}, 0);
    sequencer.add_observer(view);
    sequencer.start();
    OrderFlow flow(5, 10, /*every_kind=*/true);
    std::atomic<std::size_t> answered{0};
    std::atomic<bool> missing{false};
    std::size_t count = 0;
    const auto submit = [&](const CommandBody& c) {
        ++count;
        while (sequencer.submit(c, [&](const CommandReply& reply) {
            // Read-after-write: the view already has the order when its submitter hears back.
            if (std::holds_alternative<PlaceOrder>(*reply.command) &&
                reply.result == RejectReason::None && !view.find(reply.sequence)) {
                missing = true;
            }
            ++answered;
        }) != SubmitResult::Accepted) {
            std::this_thread::yield();
        }
    };
    for (const auto& c : flow.funding()) submit(c);
    while (count < 20'000) submit(flow.next(count + 1));
    while (answered < count) std::this_thread::yield();
    sequencer.stop();
    EXPECT_FALSE(missing);

    std::size_t open = 0;
    for (AccountId a = 1; a <= 10; ++a) {
        for (const auto& o : view.open_orders(a, std::nullopt)) {
            ++open;
            const Order* live = engine.find_order(o.id);
            ASSERT_NE(live, nullptr) << o.id << " " << to_string(o.status);
            EXPECT_EQ(o.filled, live->filled);
            EXPECT_EQ(o.price, live->price);
            EXPECT_EQ(o.quantity, live->quantity);
            EXPECT_EQ(o.stop_price, live->stop_price);
            EXPECT_EQ(o.status == OrderStatus::Untriggered, live->waiting) << o.id;
        }
        EXPECT_LE(view.finished_orders(a, std::nullopt, 5000).size(), 1000u);
    }
    EXPECT_EQ(open, engine.open_order_count());
}

TEST(OrderView, FindsAnAccountsOrderByItsClientIdUntilRetentionDropsIt) {
    OrderView view(/*finished_retention=*/2);
    const auto record = [](OrderId id, AccountId account, std::string_view client,
                           OrderStatus status) {
        OrderRecord o;
        o.id = id;
        o.account = account;
        o.status = status;
        o.client_order_id = *ClientOrderId::parse(client);
        return o;
    };
    const auto id_of = [&](AccountId account, std::string_view client) -> OrderId {
        const auto found = view.find_by_client_id(account, *ClientOrderId::parse(client));
        return found ? found->id : 0;
    };
    view.load({record(1, 7, "a", OrderStatus::Cancelled), record(2, 8, "a", OrderStatus::Pending)});
    EXPECT_EQ(id_of(7, "a"), 1u);
    EXPECT_EQ(id_of(8, "a"), 2u);  // ids are per account
    EXPECT_EQ(id_of(7, "b"), 0u);
    EXPECT_EQ(id_of(9, "a"), 0u);
    // Used again once its order is finished: the newer order answers.
    view.load({record(3, 7, "a", OrderStatus::Pending)});
    EXPECT_EQ(id_of(7, "a"), 3u);
    // Order 1 leaves the view with the third finished order; the newer "a" stays.
    view.load({record(4, 9, "x", OrderStatus::Filled), record(5, 9, "y", OrderStatus::Filled)});
    EXPECT_FALSE(view.find(1));
    EXPECT_EQ(id_of(7, "a"), 3u);
    view.load({record(6, 9, "z", OrderStatus::Filled)});
    EXPECT_EQ(id_of(9, "x"), 0u);  // dropped with its order
    EXPECT_EQ(id_of(9, "z"), 6u);
}

}  // namespace
}  // namespace xtrader::api
