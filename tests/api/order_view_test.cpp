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
    OrderFlow flow(5);
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
            ASSERT_NE(live, nullptr) << o.id;
            EXPECT_EQ(o.filled, live->filled);
            EXPECT_EQ(o.price, live->price);
        }
        EXPECT_LE(view.finished_orders(a, std::nullopt, 5000).size(), 1000u);
    }
    EXPECT_EQ(open, engine.open_order_count());
}

}  // namespace
}  // namespace xtrader::api
