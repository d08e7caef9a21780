// The pure pieces of the network edge: the static-path key, the WebSocket request decoder and
// the engine-refusal -> HTTP mapping.
#include <gtest/gtest.h>

#include "xtrader/api/rest_call.hpp"
#include "xtrader/api/static_files.hpp"
#include "xtrader/api/ws_protocol.hpp"

namespace xtrader::api {
namespace {

TEST(StaticKey, AcceptsPlainPathsOnly) {
    EXPECT_EQ(static_key("/"), "");
    EXPECT_EQ(static_key("/index.html"), "index.html");
    EXPECT_EQ(static_key("/assets/app-1.js"), "assets/app-1.js");
    EXPECT_EQ(static_key("/a%20b.txt"), "a b.txt");
    EXPECT_EQ(static_key("/dir/"), std::nullopt);  // an empty last segment
    for (const char* bad : {"", "x", "//etc/passwd", "/%2Fetc/passwd", "/%2fetc", "/../x",
                            "/a/../b", "/./a", "/a/.", "/a\\b", "/a%5cb", "/a%00b", "/a%0ab",
                            "/%zz", "/%", "/%4", "/a//b", "/..", "/%2e%2e/x"}) {
        EXPECT_EQ(static_key(bad), std::nullopt) << bad;
    }
    EXPECT_EQ(static_key("/" + std::string(1100, 'a')), std::nullopt);
}

TEST(StaticFiles, AnEmptyTableServesNothing) {
    const auto files = StaticFiles::load("/nonexistent-web-root", {});
    EXPECT_TRUE(files.empty());
    EXPECT_EQ(files.find("/"), nullptr);
    EXPECT_EQ(files.find("//etc/passwd"), nullptr);
}

TEST(WsRequest, DecodesEveryOpAndRefusesEveryWrongType) {
    const auto auth = parse_ws_request(R"({"op":"auth","api_key":"k"})");
    ASSERT_TRUE(std::holds_alternative<WsRequest>(auth));
    EXPECT_EQ(std::get<WsRequest>(auth).api_key, "k");
    const auto sub = parse_ws_request(R"({"op":"subscribe","channels":["a",1,null]})");
    ASSERT_TRUE(std::holds_alternative<WsRequest>(sub));
    EXPECT_EQ(std::get<WsRequest>(sub).channels, (std::vector<std::string>{"a", "", ""}));
    const auto options = parse_ws_request(R"({"op":"options","batch":true})");
    ASSERT_TRUE(std::holds_alternative<WsRequest>(options));
    EXPECT_EQ(std::get<WsRequest>(options).op, WsRequest::Op::Options);
    EXPECT_TRUE(std::get<WsRequest>(options).batch);
    for (const char* bad :
         {R"({"op":"auth","api_key":123})", R"({"op":"auth","api_key":null})", R"({"op":"auth"})",
          R"({"op":5})", R"({"op":"subscribe"})", R"({"op":"subscribe","channels":"x"})",
          R"({"op":"nope"})", "[]", "17", "", "{", R"({"op":"ping"} trailing)",
          R"({"op":"options"})", R"({"op":"options","batch":1})"}) {
        EXPECT_TRUE(std::holds_alternative<WsRequestError>(parse_ws_request(bad))) << bad;
    }
    std::string many = R"({"op":"subscribe","channels":[)";
    for (std::size_t i = 0; i <= kMaxChannelsPerMessage; ++i) many += (i ? ",\"x\"" : "\"x\"");
    EXPECT_TRUE(std::holds_alternative<WsRequestError>(parse_ws_request(many + "]}")));
}

TEST(HttpRefusal, MapsEngineRefusalsToTheApisStatuses) {
    EXPECT_EQ(http_refusal(RejectReason::InsufficientBalance).status, 402u);
    EXPECT_EQ(http_refusal(RejectReason::InsufficientBalance).code, "insufficient_balance");
    EXPECT_EQ(http_refusal(RejectReason::UnknownOrder).status, 404u);
    EXPECT_EQ(http_refusal(RejectReason::NotOwner).status, 403u);
    EXPECT_EQ(http_refusal(RejectReason::OrderClosed).status, 409u);
    EXPECT_EQ(http_refusal(RejectReason::TickSize).status, 400u);
    EXPECT_EQ(http_refusal(RejectReason::TickSize).code, "tick_size");
}

}  // namespace
}  // namespace xtrader::api
