#include "xtrader/api/json.hpp"

#include <gtest/gtest.h>

namespace xtrader::api {
namespace {

TEST(FlatObject, KeepsEveryNumbersOwnText) {
    std::string error;
    const auto o = parse_flat_object(
        R"({"a": 1.10, "b": 1e-3, "c": 42, "d": "x\"y", "e": true, "f": null, "g": -7})", error);
    ASSERT_TRUE(o) << error;
    EXPECT_EQ(o->find("a")->text, "1.10");
    EXPECT_EQ(o->find("b")->text, "1e-3");
    EXPECT_EQ(o->find("c")->text, "42");
    EXPECT_EQ(o->find("d")->text, "x\"y");
    EXPECT_EQ(o->find("d")->kind, JsonScalar::Kind::String);
    EXPECT_EQ(o->find("e")->kind, JsonScalar::Kind::Bool);
    EXPECT_EQ(o->find("f")->kind, JsonScalar::Kind::Null);
    EXPECT_EQ(o->find("g")->text, "-7");
    EXPECT_EQ(o->find("h"), nullptr);
}

TEST(FlatObject, RefusesWhatIsNotAFlatObject) {
    for (const char* body : {"", "[]", "1", "\"x\"", "{", R"({"a":{"b":1}})", R"({"a":[1]})",
                             R"({"a":1,"a":2})", R"({"a":1} x)", "{'a':1}"}) {
        std::string error;
        EXPECT_FALSE(parse_flat_object(body, error)) << body;
        EXPECT_FALSE(error.empty()) << body;
    }
    std::string error;
    EXPECT_TRUE(parse_flat_object("{}", error));
}

TEST(JsonWriter, WritesExactDecimalsAndEscapes) {
    std::string out;
    JsonWriter json(out);
    json.begin_object();
    json.key("p").decimal(150'000'000, 8);
    json.key("q").decimal(5, 4);
    json.key("s").string("a\"b\\c\n\x01");
    json.key("list").begin_array();
    json.number(std::int64_t{-1}).boolean(false).null();
    json.begin_object().end_object();
    json.end_array();
    json.end_object();
    EXPECT_EQ(out,
              R"({"p":1.50000000,"q":0.0005,"s":"a\"b\\c\n\u0001","list":[-1,false,null,{}]})");
}

}  // namespace
}  // namespace xtrader::api
