#include "xtrader/consumers/order_event_codec.hpp"

#include <gtest/gtest.h>

#include "test_markets.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

OrderChange partly_filled() {
    OrderChange c;
    OrderRecord& o = c.order;
    o.id = 18'446'744'073'709'551'000ULL;  // beyond a double's exact integers
    o.account = 4'000'000'000U;
    o.market = kTstUsd;
    o.side = Side::Sell;
    o.type = OrderType::Limit;
    o.tif = TimeInForce::IOC;
    o.post_only = true;
    o.price = 12'345;
    o.quantity = 9'000'000'001;
    o.filled = 3;
    o.price_volume = 3 * 12'340 + 1;  // fills at different prices: not price x filled
    o.status = OrderStatus::PartiallyFilled;
    o.reason = "self_trade_prevented";
    o.client_order_id = *ClientOrderId::parse("my-order_7");
    o.created = 1'732'480'000'123LL * kNanosPerMilli;
    o.updated = 1'732'480'000'456LL * kNanosPerMilli;
    o.sequence = 99;
    c.change = 4;
    return c;
}

TEST(OrderEventCodec, EveryFieldRoundTripsExactly) {
    const MarketCatalog catalog = test_catalog();
    for (auto change : {partly_filled(), OrderChange{}}) {
        if (change.order.id == 0) {  // the other extreme: a market order, no client id, nothing
            change.order.type = OrderType::Market;
            change.order.market = kTstUsd;
        }
        std::string text;
        encode_order_event(catalog, change, text);
        std::string error;
        const auto decoded = decode_order_event(catalog, text, error);
        ASSERT_TRUE(decoded.has_value()) << error << "\n" << text;
        EXPECT_EQ(*decoded, change) << text;
    }
}

TEST(OrderEventCodec, WhatIsNotAnOrderEventOfTheseMarketsIsRefusedWithAReason) {
    const MarketCatalog catalog = test_catalog();
    std::string good;
    encode_order_event(catalog, partly_filled(), good);
    const auto replaced = [&](std::string_view from, std::string_view to) {
        std::string text = good;
        const auto at = text.find(from);
        EXPECT_NE(at, std::string::npos) << from;
        return text.replace(at, from.size(), to);
    };
    for (const std::string& text :
         {std::string("{not json"), std::string(R"({"type":"BookDelta"})"),
          replaced(R"("symbol":"TST-USD")", R"("symbol":"NOPE")"),
          replaced(R"("side":"Sell")", R"("side":"sell")"),
          replaced(R"("status":"PartiallyFilled")", R"("status":"Open")"),
          replaced(R"("order_id":"18446744073709551000")", R"("order_id":"-1")"),
          replaced(R"("filled_quantity":"3")", R"("filled_quantity":"9000000002")"),
          replaced(R"("client_order_id":"my-order_7")", R"("client_order_id":"a b")"),
          replaced(R"("change":4)", R"("change":-4)")}) {
        std::string error;
        EXPECT_FALSE(decode_order_event(catalog, text, error).has_value()) << text;
        EXPECT_FALSE(error.empty()) << text;
    }
}

}  // namespace
}  // namespace xtrader
