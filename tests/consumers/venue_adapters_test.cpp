// exchange-sync's adapters: the public ticker formats of Upbit, Binance and a generic feed read
// into our markets' prices; what is not such a ticker is refused with a reason.
#include <gtest/gtest.h>

#include "btc_krw.hpp"
#include "xtrader/consumers/exchange_sync.hpp"

namespace xtrader {
namespace {

using surveillance::ReferencePrice;

class VenueAdapters : public ::testing::Test {
  protected:
    MarketCatalog catalog = testing::btc_krw_catalog();
    std::vector<ReferencePrice> prices;
    std::string error;

    VenueConfig venue(VenueKind kind, std::string symbol) {
        return {"v", kind, "http://127.0.0.1:1", 0, {{0, std::move(symbol)}}};
    }
    bool parse(VenueKind kind, std::string symbol, std::string_view body) {
        prices.clear();
        error.clear();
        return parse_tickers(catalog, venue(kind, std::move(symbol)), 3, body, 77, prices, error);
    }
};

TEST_F(VenueAdapters, UpbitsTickerGivesTheLastPrice) {
    ASSERT_TRUE(parse(VenueKind::Upbit, "KRW-BTC",
                      R"([{"market":"KRW-BTC","trade_price":51000000.0,"acc_trade_volume":1.5},)"
                      R"({"market":"KRW-ETH","trade_price":3000000.0}])"))
        << error;
    ASSERT_EQ(prices.size(), 1u);
    EXPECT_EQ(prices[0].venue, 3u);
    EXPECT_EQ(prices[0].time, 77);
    EXPECT_EQ(prices[0].last, 51'000'000);
    EXPECT_EQ(prices[0].bid, 0);
    EXPECT_EQ(ticker_targets(venue(VenueKind::Upbit, "KRW-BTC"), ""),
              std::vector<std::string>{"/v1/ticker?markets=KRW-BTC"});
}

TEST_F(VenueAdapters, BinancesBookTickerGivesTheBestBidAndAskRoundedToOurTick) {
    ASSERT_TRUE(parse(VenueKind::Binance, "BTCKRW",
                      R"({"symbol":"BTCKRW","bidPrice":"50990000.40000000","bidQty":"1.0",)"
                      R"("askPrice":"51010000.50000000","askQty":"2.0"})"))
        << error;
    ASSERT_EQ(prices.size(), 1u);
    EXPECT_EQ(prices[0].bid, 50'990'000);
    EXPECT_EQ(prices[0].ask, 51'010'001) << "half up";
    EXPECT_EQ(ticker_targets(venue(VenueKind::Binance, "BTCKRW"), "/base"),
              std::vector<std::string>{"/base/api/v3/ticker/bookTicker?symbol=BTCKRW"});
}

TEST_F(VenueAdapters, AGenericFeedMayGiveAnyOfItsPrices) {
    ASSERT_TRUE(parse(VenueKind::Generic, "BTC", R"([{"symbol":"BTC","bid":"1","ask":"3"}])"));
    ASSERT_EQ(prices.size(), 1u);
    EXPECT_EQ(prices[0].ask, 3);
    ASSERT_TRUE(parse(VenueKind::Generic, "BTC", R"([{"symbol":"OTHER","last":"1"}])"));
    EXPECT_TRUE(prices.empty()) << "not a symbol of ours";
}

TEST_F(VenueAdapters, WhatIsNotATickerIsRefusedWithAReason) {
    for (const auto* body :
         {"", "<html>busy</html>", "[{\"market\":\"KRW-BTC\"}]",
          "[{\"market\":\"KRW-BTC\",\"trade_price\":\"-5\"}]",
          "[{\"market\":\"KRW-BTC\",\"trade_price\":5e7}]",
          "[{\"market\":\"KRW-BTC\",\"trade_price\":\"1.2.3\"}]", "[1,2]", "\"KRW-BTC\""}) {
        EXPECT_FALSE(parse(VenueKind::Upbit, "KRW-BTC", body)) << body;
        EXPECT_FALSE(error.empty()) << body;
    }
    EXPECT_FALSE(parse(VenueKind::Binance, "BTCKRW",
                       R"({"symbol":"BTCKRW","bidPrice":"52000000","askPrice":"51000000"})"))
        << "a crossed book";
    EXPECT_FALSE(parse(VenueKind::Generic, "BTC", R"([{"symbol":"BTC","bid":"1"}])"))
        << "a bid alone is no price";
}

}  // namespace
}  // namespace xtrader
