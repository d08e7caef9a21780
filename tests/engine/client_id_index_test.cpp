#include "xtrader/engine/client_id_index.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>

namespace xtrader {
namespace {

TEST(ClientIdIndex, BehavesLikeAMapOfAccountAndTextUnderRandomInsertsAndErases) {
    ClientIdIndex index(42, 16);
    std::map<std::pair<AccountId, std::string>, OrderId> reference;
    std::mt19937_64 rng(7);
    OrderId next = 1;
    for (int i = 0; i < 100'000; ++i) {
        const AccountId account = static_cast<AccountId>(rng() % 4 + 1);
        const std::string text = "id-" + std::to_string(rng() % 700);
        const auto id = *ClientOrderId::parse(text);
        const auto found = reference.find({account, text});
        if (found != reference.end() && rng() % 2 == 0) {
            EXPECT_TRUE(index.erase(index.hash(account, id), found->second));
            reference.erase(found);
        } else if (found == reference.end()) {
            index.insert(account, id, next);
            reference[{account, text}] = next++;
        }
        if (i % 997 == 0) {
            ASSERT_EQ(index.size(), reference.size());
            for (const auto& [key, order] : reference) {
                const auto* hit = index.find(key.first, *ClientOrderId::parse(key.second));
                ASSERT_NE(hit, nullptr);
                EXPECT_EQ(*hit, order);
            }
        }
    }
}

TEST(ClientIdIndex, ErasesOnlyTheNamedOrder) {
    ClientIdIndex index;
    const auto id = *ClientOrderId::parse("x");
    index.insert(1, id, 10);
    EXPECT_FALSE(index.erase(index.hash(1, id), 11));
    EXPECT_FALSE(index.erase(index.hash(2, id), 10));
    EXPECT_NE(index.find(1, id), nullptr);
    EXPECT_EQ(index.find(2, id), nullptr);
    EXPECT_TRUE(index.erase(index.hash(1, id), 10));
    EXPECT_EQ(index.find(1, id), nullptr);
}

TEST(ClientIdIndex, TheSeedMovesKeysButNotIdentity) {
    ClientIdIndex a(1), b(2);
    const auto id = *ClientOrderId::parse("order-7");
    EXPECT_NE(a.hash(3, id), b.hash(3, id));
    a.insert(3, id, 5);
    b.insert(3, id, 5);
    EXPECT_EQ(*a.find(3, id), *b.find(3, id));
}

}  // namespace
}  // namespace xtrader
