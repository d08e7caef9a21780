// The REST request decoders without a daemon: every refusal API.md lists for POST /v1/order and
// the cancels, with its code, and the order in which they are checked (symbol, then quantity,
// then price; the balance is the engine's).
#include "xtrader/api/order_requests.hpp"

#include <gtest/gtest.h>

#include "btc_krw.hpp"
#include "xtrader/api/request_target.hpp"

namespace xtrader::api {
namespace {

const MarketCatalog& catalog() {
    static const MarketCatalog c = testing::btc_krw_catalog();
    return c;
}

// The error code for a body, or "ok".
std::string code(std::string_view body, const MarketCatalog& markets = catalog()) {
    const auto decoded = decode_place_order(body, markets, 7);
    if (const auto* error = std::get_if<ApiError>(&decoded)) {
        EXPECT_EQ(error->status, 400u) << body;
        EXPECT_FALSE(error->message.empty()) << body;
        return error->code;
    }
    return "ok";
}

// A limit buy of BTC-KRW with one field replaced (or added); "" removes it.
std::string limit_with(std::string_view field, std::string_view value) {
    std::vector<std::pair<std::string, std::string>> fields = {{"symbol", "\"BTC-KRW\""},
                                                               {"side", "\"Buy\""},
                                                               {"order_type", "\"Limit\""},
                                                               {"price", "\"50000000\""},
                                                               {"quantity", "\"0.0100\""}};
    bool found = false;
    for (auto& [name, text] : fields) {
        if (name == field) {
            text = value;
            found = true;
        }
    }
    if (!found) fields.emplace_back(field, value);
    std::string body = "{";
    for (const auto& [name, text] : fields) {
        if (text.empty()) continue;
        if (body.size() > 1) body += ",";
        body += "\"" + name + "\":" + text;
    }
    return body + "}";
}

TEST(DecodePlaceOrder, DecodesAWellFormedOrderExactly) {
    const auto decoded = decode_place_order(
        R"({"symbol":"BTC-KRW","side":"Sell","order_type":"Limit","price":50000000,)"
        R"("quantity":"0.0125","time_in_force":"IOC","client_order_id":"bot-1:a_b.c"})",
        catalog(), 7);
    ASSERT_TRUE(std::holds_alternative<PlaceOrder>(decoded));
    const auto& order = std::get<PlaceOrder>(decoded);
    EXPECT_EQ(order.account, 7u);
    EXPECT_EQ(order.market, 0u);
    EXPECT_EQ(order.side, Side::Sell);
    EXPECT_EQ(order.type, OrderType::Limit);
    EXPECT_EQ(order.tif, TimeInForce::IOC);
    EXPECT_EQ(order.price, 50'000'000);
    EXPECT_EQ(order.quantity, 125);  // 4 decimals
    EXPECT_EQ(order.client_order_id.view(), "bot-1:a_b.c");
    EXPECT_EQ(code(limit_with("quantity", "0.01")), "ok");    // fewer decimals: exact
    EXPECT_EQ(code(limit_with("quantity", "1.5e-2")), "ok");  // an exponent: exact
    EXPECT_EQ(code(limit_with("post_only", "true")), "ok");
    EXPECT_EQ(code(limit_with("time_in_force", "null")), "ok");  // null: the default
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Market","quantity":1})"),
              "ok");
}

TEST(DecodePlaceOrder, TakesTheSeedsBodyWithoutAnOrderTypeAsALimitOrder) {
    const auto decoded = decode_place_order(
        R"({"symbol":"BTC-KRW","side":"Buy","price":"50000000","quantity":"0.0100"})", catalog(),
        7);
    ASSERT_TRUE(std::holds_alternative<PlaceOrder>(decoded));
    EXPECT_EQ(std::get<PlaceOrder>(decoded).type, OrderType::Limit);
    EXPECT_EQ(std::get<PlaceOrder>(decoded).price, 50'000'000);
    EXPECT_EQ(code(limit_with("order_type", "null")), "ok");  // null: left out
    // Without a price the type cannot be guessed: a market order must say so.
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","quantity":1})"), "invalid_order_type");
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","price":null,"quantity":1})"),
              "invalid_order_type");
}

TEST(DecodePlaceOrder, RefusesWhatIsNotAFlatJsonObject) {
    for (const char* body : {"", "{", "[]", "null", "\"x\"", R"({"symbol":"BTC-KRW"} x)",
                             R"({"symbol":{"a":1}})", R"({"symbol":["BTC-KRW"]})",
                             R"({"symbol":"BTC-KRW","symbol":"BTC-KRW"})", "{'symbol':1}"}) {
        EXPECT_EQ(code(body), "malformed_json") << body;
    }
    EXPECT_EQ(code(limit_with("colour", "\"red\"")), "unknown_field");
}

TEST(DecodePlaceOrder, RefusesEveryBadFieldWithItsCode) {
    const std::string too_long = "\"" + std::string(37, 'a') + "\"";
    const std::vector<std::tuple<std::string_view, std::string_view, std::string_view>> cases = {
        {"symbol", "", "invalid_symbol"},
        {"symbol", "7", "invalid_symbol"},
        {"symbol", "\"DOGE-KRW\"", "unknown_symbol"},
        {"symbol", "\"btc-krw\"", "unknown_symbol"},
        {"side", "\"buy\"", "invalid_side"},
        {"side", "", "invalid_side"},
        {"order_type", "\"Stop\"", "invalid_order_type"},
        {"order_type", "\"stoplimit\"", "invalid_order_type"},
        {"time_in_force", "\"DAY\"", "invalid_time_in_force"},
        {"post_only", "\"true\"", "invalid_post_only"},
        {"client_order_id", "\"has space\"", "invalid_client_order_id"},
        {"client_order_id", too_long, "invalid_client_order_id"},
        {"client_order_id", "12", "invalid_client_order_id"},
        {"quantity", "", "invalid_quantity"},
        {"quantity", "true", "invalid_quantity"},
        {"quantity", "\"0.00001\"", "invalid_quantity"},  // more decimals than the market's
        {"quantity", "-1", "invalid_quantity"},
        {"quantity", "0", "invalid_quantity"},
        {"quantity", "\"NaN\"", "invalid_quantity"},
        {"quantity", "\"1e400\"", "invalid_quantity"},  // exponent overflow
        {"quantity", "1e400", "malformed_json"},        // beyond what JSON numbers hold
        {"quantity", "\"1,5\"", "invalid_quantity"},
        {"quantity", "\"10001\"", "invalid_quantity"},  // above max_quantity
        {"price", "", "invalid_price"},                 // a limit order needs one
        {"price", "false", "invalid_price"},
        {"price", "\"50000000.5\"", "invalid_price"},  // KRW prices have no decimals
        {"price", "0", "invalid_price"},
        {"price", "-1000", "invalid_price"},
        {"price", "50000500", "invalid_price"},     // not a multiple of the tick (1000)
        {"price", "20000000000", "invalid_price"},  // above max_price
    };
    for (const auto& [field, value, expected] : cases) {
        const auto body = limit_with(field, value);
        EXPECT_EQ(code(body), expected) << body;
    }
    const auto post_only_ioc = limit_with("time_in_force", "\"IOC\"");
    EXPECT_EQ(code(post_only_ioc.substr(0, post_only_ioc.size() - 1) + R"(,"post_only":true})"),
              "invalid_post_only");
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Market","quantity":1,)"
                   R"("price":50000000})"),
              "invalid_price");
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Market","quantity":1,)"
                   R"("post_only":true})"),
              "invalid_post_only");
}

TEST(DecodePlaceOrder, StopOrdersNeedAStopPriceAndOthersRefuseOne) {
    const auto decoded = decode_place_order(
        R"({"symbol":"BTC-KRW","side":"Buy","order_type":"StopLimit","price":"51000000",)"
        R"("stop_price":50500000,"quantity":"0.0100"})",
        catalog(), 7);
    ASSERT_TRUE(std::holds_alternative<PlaceOrder>(decoded));
    EXPECT_EQ(std::get<PlaceOrder>(decoded).type, OrderType::StopLimit);
    EXPECT_EQ(std::get<PlaceOrder>(decoded).price, 51'000'000);
    EXPECT_EQ(std::get<PlaceOrder>(decoded).stop_price, 50'500'000);
    const std::string stop_market =
        R"({"symbol":"BTC-KRW","side":"Sell","order_type":"StopMarket","quantity":1)";
    EXPECT_EQ(code(stop_market + R"(,"stop_price":"49000000"})"), "ok");
    EXPECT_EQ(code(stop_market + "}"), "invalid_stop_price");
    EXPECT_EQ(code(stop_market + R"(,"stop_price":"49000500"})"), "invalid_stop_price");  // tick
    EXPECT_EQ(code(stop_market + R"(,"stop_price":0})"), "invalid_stop_price");
    EXPECT_EQ(code(stop_market + R"(,"stop_price":true})"), "invalid_stop_price");
    EXPECT_EQ(code(stop_market + R"(,"stop_price":"49000000","price":"49000000"})"),
              "invalid_price");
    EXPECT_EQ(code(stop_market + R"(,"stop_price":"49000000","post_only":true})"),
              "invalid_post_only");
    EXPECT_EQ(code(limit_with("stop_price", "\"49000000\"")), "invalid_stop_price");
    EXPECT_EQ(code(limit_with("order_type", "\"StopLimit\"")), "invalid_stop_price");
    EXPECT_EQ(code(limit_with("order_type", "7")), "invalid_order_type");
}

TEST(DecodeAmendOrder, TakesANewPriceOrQuantityOrBoth) {
    const auto& market = catalog().markets[0];
    const auto amend = [&](std::string_view body) -> std::string {
        const auto v = decode_amend_order(body, market);
        if (const auto* e = std::get_if<ApiError>(&v)) return e->code;
        const auto& a = std::get<AmendOrder>(v);
        return std::to_string(a.new_price) + " " + std::to_string(a.new_quantity);
    };
    EXPECT_EQ(amend(R"({"price":"51000000"})"), "51000000 0");
    EXPECT_EQ(amend(R"({"quantity":0.02})"), "0 200");
    EXPECT_EQ(amend(R"({"price":51000000,"quantity":"0.0200"})"), "51000000 200");
    EXPECT_EQ(amend(R"({})"), "invalid_amendment");
    EXPECT_EQ(amend(R"({"price":null})"), "invalid_amendment");
    EXPECT_EQ(amend(R"({"price":"51000500"})"), "invalid_price");
    EXPECT_EQ(amend(R"({"quantity":"0.00001"})"), "invalid_quantity");
    EXPECT_EQ(amend(R"({"quantity":-1})"), "invalid_quantity");
    EXPECT_EQ(amend(R"({"side":"Sell"})"), "unknown_field");
    EXPECT_EQ(amend("price=1"), "malformed_json");
}

TEST(PageCursor, ReadsBackWhatItWroteAndNothingElse) {
    const ListPosition at{1'700'000'000'123'456'789, 42};
    const auto back = decode_cursor(encode_cursor(at));
    ASSERT_TRUE(back);
    EXPECT_EQ(back->time, at.time);
    EXPECT_EQ(back->id, 42u);
    for (const char* bad : {"", ".", "1", "1.", ".1", "a.b", "1.2.3", "+1.2", "-1.2", "1.-2",
                            "9223372036854775808.1", "99999999999999999999.1", "1.2 "}) {
        EXPECT_FALSE(decode_cursor(bad)) << bad;
    }
}

TEST(DecodePlaceOrder, ChecksLotAndMinimumAgainstTheMarket) {
    MarketCatalog coarse = catalog();
    coarse.markets[0].lot_size = 10;      // 0.0010 BTC
    coarse.markets[0].min_quantity = 20;  // 0.0020 BTC
    EXPECT_EQ(code(limit_with("quantity", "\"0.0015\""), coarse), "invalid_quantity");  // lot
    EXPECT_EQ(code(limit_with("quantity", "\"0.0010\""), coarse), "invalid_quantity");  // min
    EXPECT_EQ(code(limit_with("quantity", "\"0.0020\""), coarse), "ok");
}

TEST(DecodePlaceOrder, ChecksSymbolThenQuantityThenPrice) {
    const std::string everything_wrong =
        R"({"symbol":"DOGE-KRW","side":"Buy","order_type":"Limit","price":"1.5","quantity":0})";
    EXPECT_EQ(code(everything_wrong), "unknown_symbol");
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Limit","price":"1.5",)"
                   R"("quantity":0})"),
              "invalid_quantity");
    EXPECT_EQ(code(R"({"symbol":"BTC-KRW","side":"Buy","order_type":"Limit","price":"1.5",)"
                   R"("quantity":1})"),
              "invalid_price");
    // An unknown field is refused before anything is read.
    EXPECT_EQ(code(R"({"symbol":"DOGE-KRW","extra":1})"), "unknown_field");
}

TEST(DecodeCancel, TakesAnOrderIdFromThePathOrTheBody) {
    const auto id = [](const std::variant<OrderId, ApiError>& v) {
        return std::holds_alternative<OrderId>(v) ? std::to_string(std::get<OrderId>(v))
                                                  : std::get<ApiError>(v).code;
    };
    EXPECT_EQ(id(decode_order_id("13")), "13");
    for (const char* bad : {"", "0", "-1", "1.0", "abc", "13 ", "18446744073709551616"}) {
        EXPECT_EQ(id(decode_order_id(bad)), "invalid_order_id") << bad;
    }
    const auto body = [](std::string_view text) -> std::string {
        const auto v = decode_cancel_body(text);
        if (const auto* e = std::get_if<ApiError>(&v)) return e->code;
        const auto& ref = std::get<OrderRef>(v);
        return ref.id != 0 ? std::to_string(ref.id)
                           : "client " + std::string(ref.client_order_id.view());
    };
    EXPECT_EQ(body(R"({"order_id":"13"})"), "13");
    EXPECT_EQ(body(R"({"order_id":13})"), "13");
    EXPECT_EQ(body(R"({"client_order_id":"bot-1:a"})"), "client bot-1:a");
    EXPECT_EQ(body(R"({})"), "invalid_order_id");
    EXPECT_EQ(body(R"({"order_id":13,"client_order_id":"a"})"), "invalid_order_id");  // one only
    EXPECT_EQ(body(R"({"order_id":true})"), "invalid_order_id");
    EXPECT_EQ(body(R"({"order_id":"0"})"), "invalid_order_id");
    EXPECT_EQ(body(R"({"client_order_id":7})"), "invalid_client_order_id");
    EXPECT_EQ(body(R"({"client_order_id":"has space"})"), "invalid_client_order_id");
    EXPECT_EQ(body(R"({"order":13})"), "unknown_field");
    EXPECT_EQ(body("order_id=13"), "malformed_json");
}

TEST(RequestTarget, SplitsThePathFromItsDecodedQuery) {
    const RequestTarget t("/v1/orders?symbol=BTC%2DKRW&status=open&flag&a+b=c+d&status=all");
    EXPECT_EQ(t.path(), "/v1/orders");
    ASSERT_NE(t.param("symbol"), nullptr);
    EXPECT_EQ(*t.param("symbol"), "BTC-KRW");
    EXPECT_EQ(*t.param("status"), "open");  // the first of a repeated parameter
    EXPECT_EQ(*t.param("flag"), "");
    EXPECT_EQ(*t.param("a b"), "c d");
    EXPECT_EQ(t.param("limit"), nullptr);
    EXPECT_EQ(RequestTarget("HTTP://example.com/health?x=1").path(), "/health");
    EXPECT_EQ(RequestTarget("http://example.com").path(), "/");
    EXPECT_EQ(RequestTarget("http://example.com?x").path(), "/");
    EXPECT_EQ(url_decode("%zz%4"), "%zz%4");  // malformed escapes stay as they are
    EXPECT_EQ(parse_unsigned("42"), 42u);
    EXPECT_EQ(parse_unsigned(""), std::nullopt);
    EXPECT_EQ(parse_unsigned("+1"), std::nullopt);
}

}  // namespace
}  // namespace xtrader::api
