#include <gtest/gtest.h>

#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader {
namespace {

TEST(JsonValue, KeepsEveryNumbersOwnText) {
    std::string error;
    const auto o = parse_json_object(
        R"({"a": 1.10, "b": 1e-3, "c": 42, "d": "x\"y", "e": true, "f": null, "g": -7})", error);
    ASSERT_TRUE(o) << error;
    EXPECT_EQ(o->find("a")->text, "1.10");
    EXPECT_EQ(o->find("b")->text, "1e-3");
    EXPECT_EQ(o->find("c")->text, "42");
    EXPECT_EQ(o->find("d")->text, "x\"y");
    EXPECT_EQ(o->find("d")->kind, JsonValue::Kind::String);
    EXPECT_EQ(o->find("e")->kind, JsonValue::Kind::Bool);
    EXPECT_EQ(o->find("f")->kind, JsonValue::Kind::Null);
    EXPECT_EQ(o->find("g")->text, "-7");
    EXPECT_EQ(o->find("h"), nullptr);
}

TEST(JsonValue, RefusesWhatIsNotAJsonValue) {
    for (const char* body : {"", "[]", "1", "\"x\"", "{", R"({"a":{"b":1}})", R"({"a":[1]})",
                             R"({"a":1,"a":2})", R"({"a":1} x)", "{'a':1}"}) {
        std::string error;
        EXPECT_FALSE(parse_json_object(body, error)) << body;
        EXPECT_FALSE(error.empty()) << body;
    }
    std::string error;
    EXPECT_TRUE(parse_json_object("{}", error));
}

TEST(JsonReader, NestsOnlyAsDeepAsTheCallerAllows) {
    std::string error;
    const auto request = parse_json_object(R"({"op":"subscribe","channels":["a",1,null]})", error,
                                           JsonNesting::ScalarArrays);
    ASSERT_TRUE(request) << error;
    const auto& items = request->find("channels")->items;
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(items[0].text, "a");
    EXPECT_TRUE(items[1].is(JsonValue::Kind::Number));
    EXPECT_TRUE(items[2].is(JsonValue::Kind::Null));
    for (const char* deeper : {R"({"a":[[1]]})", R"({"a":[{"b":1}]})", R"({"a":{"b":1}})"}) {
        EXPECT_FALSE(parse_json_object(deeper, error, JsonNesting::ScalarArrays)) << deeper;
    }

    const auto file = parse_json_object(R"({"keys":[{"id":1,"tags":["x"]}],"n":{"m":{}}})", error,
                                        JsonNesting::Any);
    ASSERT_TRUE(file) << error;
    EXPECT_EQ(file->find("keys")->items.at(0).find("tags")->items.at(0).text, "x");
    EXPECT_TRUE(file->find("n")->find("m")->is(JsonValue::Kind::Object));
    std::string deep = "{\"a\":";
    for (int i = 0; i < 40; ++i) deep += "[";
    for (int i = 0; i < 40; ++i) deep += "]";
    EXPECT_FALSE(parse_json_object(deep + "}", error, JsonNesting::Any));
}

TEST(JsonReader, BoundsAnObjectsMembersAndReadsIntegersExactly) {
    std::string body = "{";
    for (std::size_t i = 0; i <= kMaxJsonMembers; ++i) {
        body += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":1";
    }
    std::string error;
    EXPECT_FALSE(parse_json_object(body + "}", error, JsonNesting::Any));
    EXPECT_NE(error.find("fields in one object"), std::string::npos) << error;

    const auto o = parse_json_object(R"({"a":42,"b":4.2,"c":-1,"d":"7","e":4294967296})", error);
    ASSERT_TRUE(o) << error;
    std::uint32_t u = 0;
    std::int64_t i = 0;
    EXPECT_TRUE(json_integer(o->find("a"), u) && u == 42);
    EXPECT_FALSE(json_integer(o->find("b"), u));
    EXPECT_FALSE(json_integer(o->find("c"), u));
    EXPECT_TRUE(json_integer(o->find("c"), i) && i == -1);
    EXPECT_FALSE(json_integer(o->find("d"), u));  // a string is not a number
    EXPECT_FALSE(json_integer(o->find("e"), u));  // beyond 32 bits
    EXPECT_FALSE(json_integer(o->find("z"), u));
}

TEST(JsonWriter, WritesValidUtf8WhateverItIsGiven) {
    std::string out;
    JsonWriter json(out);
    const std::string input = "ok \xc3\xa9 \xff \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82";
    json.begin_object().key("s").string(input).end_object();
    EXPECT_EQ(out,
              "{\"s\":\"ok \xc3\xa9 \xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd "
              "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
              "\xef\xbf\xbd \xef\xbf\xbd\xef\xbf\xbd\"}");
    std::string error;
    const auto back = parse_json_object(out, error);
    ASSERT_TRUE(back) << error;  // the reader validates UTF-8
    EXPECT_EQ(back->find("s")->text.substr(0, 5), "ok \xc3\xa9");
}

TEST(JsonWriter, WritesExactDecimalsAndEscapes) {
    std::string out;
    JsonWriter json(out);
    json.begin_object();
    json.key("p").decimal(150'000'000, 8);
    json.key("q").decimal(5, 4);
    json.key("t").decimal_string(-12, 2);
    json.key("s").string("a\"b\\c\n\x01");
    json.key("list").begin_array();
    json.number(std::int64_t{-1}).boolean(false).null();
    json.begin_object().end_object();
    json.end_array();
    json.end_object();
    EXPECT_EQ(
        out,
        R"({"p":1.50000000,"q":0.0005,"t":"-0.12","s":"a\"b\\c\n\u0001","list":[-1,false,null,{}]})");
}

}  // namespace
}  // namespace xtrader
