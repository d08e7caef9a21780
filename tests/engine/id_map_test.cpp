#include "xtrader/engine/id_map.hpp"

#include <gtest/gtest.h>

#include <random>
#include <unordered_map>

namespace xtrader {
namespace {

TEST(IdMap, BehavesLikeAHashMapUnderRandomInsertsAndErases) {
    IdMap<std::uint32_t> map(16);
    std::unordered_map<std::uint64_t, std::uint32_t> reference;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 200'000; ++i) {
        const std::uint64_t id = rng() % 5000 + 1;
        if (rng() % 3 == 0) {
            EXPECT_EQ(map.erase(id), reference.erase(id) == 1);
        } else {
            const auto value = static_cast<std::uint32_t>(rng());
            map.insert(id, value);
            reference[id] = value;
        }
        if (i % 997 == 0) {
            ASSERT_EQ(map.size(), reference.size());
            for (std::uint64_t k = 1; k <= 5000; ++k) {
                const auto* found = map.find(k);
                const auto it = reference.find(k);
                ASSERT_EQ(found != nullptr, it != reference.end()) << k;
                if (found != nullptr) {
                    ASSERT_EQ(*found, it->second);
                }
            }
        }
    }
}

}  // namespace
}  // namespace xtrader
