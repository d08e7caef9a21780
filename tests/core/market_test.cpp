#include "xtrader/core/market.hpp"

#include <gtest/gtest.h>

#include "btc_krw.hpp"

namespace xtrader {
namespace {

MarketCatalog btc_krw() {
    return testing::btc_krw_catalog();
}

TEST(MarketCatalog, DerivesExactConversions) {
    auto c = btc_krw();
    ASSERT_EQ(c.validate(), "");
    const auto& m = c.markets[0];
    EXPECT_EQ(m.base_multiplier, 10'000);  // 1 lot = 0.0001 BTC = 10,000 satoshi
    EXPECT_EQ(m.quote_multiplier, 1);
    // 0.5 BTC at 50,000,000 KRW = 25,000,000 KRW, at KRW scale 4.
    EXPECT_EQ(notional(m, 50'000'000, 5000), 250'000'000'000);
    EXPECT_EQ(fee_on(250'000'000'000, 500), 125'000'000);
    EXPECT_EQ(fee_on(1999, 500), 0);  // rounds down
    EXPECT_EQ(c.find("BTC-KRW"), &c.markets[0]);
    EXPECT_EQ(c.find("ETH-KRW"), nullptr);
}

TEST(MarketCatalog, RefusesInconsistentMarkets) {
    const auto broken = [](auto change) {
        auto c = btc_krw();
        change(c.markets[0]);
        return c.validate();
    };
    EXPECT_NE(broken([](MarketSpec& m) { m.tick_size = 0; }), "");
    EXPECT_NE(broken([](MarketSpec& m) { m.qty_scale = 9; }), "");
    EXPECT_NE(broken([](MarketSpec& m) { m.price_scale = 1; }), "");  // 1 + 4 > KRW's 4
    EXPECT_NE(broken([](MarketSpec& m) { m.maker_fee_ppm = 600; }), "");
    EXPECT_NE(broken([](MarketSpec& m) { m.max_price = 1'000'000'000'000'000; }), "");
    EXPECT_NE(broken([](MarketSpec& m) { m.min_quantity = 0; }), "");
    EXPECT_NE(broken([](MarketSpec& m) { m.max_price = 1500; }), "");  // not on the tick
    EXPECT_NE(broken([](MarketSpec& m) { m.quote = m.base; }), "");
    auto twice = btc_krw();
    twice.markets.push_back(twice.markets[0]);
    EXPECT_NE(twice.validate(), "");
}

}  // namespace
}  // namespace xtrader

namespace xtrader {
namespace {

TEST(ClientOrderId, AcceptsUpTo36SafeCharacters) {
    EXPECT_EQ(ClientOrderId::parse("2f1c9a7e-4b7d-4e0a-9c1e-5d2b8f3a6c10")->view(),
              "2f1c9a7e-4b7d-4e0a-9c1e-5d2b8f3a6c10");
    EXPECT_EQ(ClientOrderId::parse("a.b_c:d-E9")->view(), "a.b_c:d-E9");
    EXPECT_FALSE(ClientOrderId::parse(""));
    EXPECT_FALSE(ClientOrderId::parse(std::string(37, 'a')));
    EXPECT_FALSE(ClientOrderId::parse("has space"));
    EXPECT_FALSE(ClientOrderId::parse("quote\""));
    EXPECT_FALSE(ClientOrderId::parse("é"));
    EXPECT_TRUE(ClientOrderId{}.empty());
}

}  // namespace
}  // namespace xtrader
