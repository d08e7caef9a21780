// The WebSocket hub's channel logs: what a subscriber takes, when it is woken, and when it is
// told it fell too far behind.
#include "xtrader/api/ws_hub.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace xtrader::api {
namespace {

struct Recorder final : WsSubscriber {
    void wake() override { ++wakes; }
    void too_slow() override { ++slow; }
    std::atomic<int> wakes{0};
    std::atomic<int> slow{0};
};

std::vector<std::string> texts(const std::vector<Message>& messages) {
    std::vector<std::string> out;
    for (const auto& m : messages) out.push_back(*m);
    return out;
}

TEST(WsHub, ASubscriberTakesWhatWasPublishedSinceItSubscribedInOrder) {
    WsHub hub;
    auto early = std::make_shared<Recorder>();
    const auto first = hub.subscribe("ticker:BTC-KRW", early);
    hub.publish("ticker:BTC-KRW", make_message("1"));
    auto late = std::make_shared<Recorder>();
    const auto second = hub.subscribe("ticker:BTC-KRW", late);
    hub.publish("ticker:BTC-KRW", make_message("2"));
    hub.publish("other", make_message("x"));  // nobody listens: dropped

    std::vector<Message> taken;
    ASSERT_TRUE(WsHub::take(first, taken));
    EXPECT_EQ(texts(taken), (std::vector<std::string>{"1", "2"}));
    taken.clear();
    ASSERT_TRUE(WsHub::take(second, taken));
    EXPECT_EQ(texts(taken), (std::vector<std::string>{"2"}));
    taken.clear();
    ASSERT_TRUE(WsHub::take(first, taken));
    EXPECT_TRUE(taken.empty());
    EXPECT_FALSE(hub.has_subscribers("other"));
}

TEST(WsHub, AWaitingSubscriberIsWokenOnceByTheNextMessage) {
    WsHub hub;
    auto recorder = std::make_shared<Recorder>();
    const auto s = hub.subscribe("executions:BTC-KRW", recorder);
    EXPECT_FALSE(WsHub::ready_or_wait(s));
    EXPECT_FALSE(WsHub::ready_or_wait(s));  // waits once, however often asked
    hub.publish("executions:BTC-KRW", make_message("a"));
    hub.publish("executions:BTC-KRW", make_message("b"));
    EXPECT_EQ(recorder->wakes, 1);
    EXPECT_TRUE(WsHub::ready_or_wait(s));  // something to take: no wait
    std::vector<Message> taken;
    ASSERT_TRUE(WsHub::take(s, taken));
    EXPECT_EQ(taken.size(), 2u);
    hub.publish("executions:BTC-KRW", make_message("c"));
    EXPECT_EQ(recorder->wakes, 1);  // it did not wait again
}

TEST(WsHub, OnlyTheSubscriberFallingBeyondTheBacklogIsToldAndLosesItsPlace) {
    WsHub hub(WsBacklog{.messages = 100, .bytes = 1 << 20});
    auto reader = std::make_shared<Recorder>();
    auto sleeper = std::make_shared<Recorder>();
    const auto reads = hub.subscribe("orderbook:BTC-KRW", reader);
    const auto sleeps = hub.subscribe("orderbook:BTC-KRW", sleeper);
    std::vector<Message> taken;
    for (int i = 0; i < 1000; ++i) {
        hub.publish("orderbook:BTC-KRW", make_message(std::to_string(i)));
        if (i % 10 == 0) {
            ASSERT_TRUE(WsHub::take(reads, taken));
        }
    }
    ASSERT_TRUE(WsHub::take(reads, taken));
    EXPECT_EQ(taken.size(), 1000u);
    EXPECT_EQ(*taken.back(), "999");
    EXPECT_EQ(reader->slow, 0);
    EXPECT_EQ(sleeper->slow, 1);
    std::vector<Message> lost;
    EXPECT_FALSE(WsHub::take(sleeps, lost));
    EXPECT_TRUE(lost.empty());
}

TEST(WsHub, TheLastToLeaveEndsTheChannelAndItsWaits) {
    WsHub hub;
    auto recorder = std::make_shared<Recorder>();
    for (int i = 0; i < 1000; ++i) {  // a client that subscribes and leaves in a loop
        const auto s = hub.subscribe("orders:7", recorder);
        EXPECT_FALSE(WsHub::ready_or_wait(s));
        hub.unsubscribe(s);
    }
    EXPECT_FALSE(hub.has_subscribers("orders:7"));
    EXPECT_EQ(hub.publish("orders:7", make_message("gone")), 0u);
    EXPECT_EQ(recorder->wakes, 0);
}

TEST(WsHub, PublishersAndATakerOnOtherThreadsLoseNothing) {
    WsHub hub(WsBacklog{.messages = 1 << 20, .bytes = 1 << 30});
    auto recorder = std::make_shared<Recorder>();
    const auto s = hub.subscribe("executions:BTC-KRW", recorder);
    constexpr int kEach = 20'000;
    std::vector<std::thread> publishers;
    for (int p = 0; p < 2; ++p) {
        publishers.emplace_back([&hub, p] {
            for (int i = 0; i < kEach; ++i) {
                hub.publish("executions:BTC-KRW", make_message(std::to_string(p * kEach + i)));
            }
        });
    }
    std::vector<Message> taken;
    bool kept_up = true;
    while (kept_up && taken.size() < 2u * kEach) kept_up = WsHub::take(s, taken);
    for (auto& t : publishers) t.join();
    ASSERT_TRUE(kept_up);
    ASSERT_EQ(taken.size(), 2u * kEach);
    // Each publisher's messages in its own order.
    int last[2] = {-1, -1};
    for (const auto& m : taken) {
        const int n = std::stoi(*m);
        EXPECT_GT(n % kEach, last[n / kEach]);
        last[n / kEach] = n % kEach;
    }
}

}  // namespace
}  // namespace xtrader::api
