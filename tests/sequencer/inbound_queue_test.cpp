#include "xtrader/sequencer/inbound_queue.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace xtrader {
namespace {

TEST(InboundQueue, RefusesWhenFullAndKeepsFifo) {
    InboundQueue<int> queue(4);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(queue.try_push(i));
    int extra = 99;
    EXPECT_FALSE(queue.try_push(extra));
    EXPECT_EQ(extra, 99);
    int out = -1;
    for (int i = 0; i < 4; ++i) {
        ASSERT_TRUE(queue.try_pop(out));
        EXPECT_EQ(out, i);
    }
    EXPECT_FALSE(queue.try_pop(out));
}

TEST(InboundQueue, ManyProducersOneConsumerLoseAndDuplicateNothing) {
    constexpr int kProducers = 4;
    constexpr int kEach = 200'000;
    InboundQueue<std::uint64_t> queue(1024);
    std::vector<std::thread> producers;
    for (int p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            for (std::uint64_t i = 0; i < kEach; ++i) {
                std::uint64_t value = (std::uint64_t(p) << 32) | i;
                while (!queue.try_push(value)) std::this_thread::yield();
            }
        });
    }
    std::vector<std::uint64_t> next(kProducers, 0);
    for (int received = 0; received < kProducers * kEach;) {
        std::uint64_t value;
        if (!queue.try_pop(value)) {
            std::this_thread::yield();
            continue;
        }
        const auto p = value >> 32;
        ASSERT_EQ(value & 0xffffffff, next[p]) << "producer " << p;  // FIFO per producer
        ++next[p];
        ++received;
    }
    for (auto& t : producers) t.join();
    for (auto n : next) EXPECT_EQ(n, static_cast<std::uint64_t>(kEach));
}

}  // namespace
}  // namespace xtrader
