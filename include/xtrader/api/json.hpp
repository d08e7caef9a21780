// JSON in and out of the REST API, exact for numbers.
//
// Requests are flat objects of scalars. parse_flat_object reads them with nlohmann's SAX parser
// and keeps every number's own text, so "1.5" or 1.5e-3 reaches parse_decimal exactly, never
// through a double. JsonWriter appends to a string and writes decimals as JSON numbers with
// exactly the market's decimals (1.50000000), which no double-based library can.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xtrader::api {

struct JsonScalar {
    enum class Kind : std::uint8_t { String, Number, Bool, Null };
    Kind kind = Kind::Null;
    std::string text;  // the string's value, the number's text, "true" / "false"
};

class FlatObject {
  public:
    const JsonScalar* find(std::string_view key) const noexcept;
    std::vector<std::pair<std::string, JsonScalar>> members;
};

// The object, or nullopt with `error` saying why: not JSON, not an object, a nested value, a
// repeated key.
std::optional<FlatObject> parse_flat_object(std::string_view body, std::string& error);

class JsonWriter {
  public:
    explicit JsonWriter(std::string& out) noexcept : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view name);
    JsonWriter& string(std::string_view value);
    JsonWriter& number(std::int64_t value);
    JsonWriter& number(std::uint64_t value);
    JsonWriter& number(std::uint32_t value) { return number(std::uint64_t{value}); }
    JsonWriter& decimal(std::int64_t value, int scale);  // a JSON number with `scale` decimals
    JsonWriter& boolean(bool value);
    JsonWriter& null();

  private:
    void separate();

    std::string& out_;
    bool first_ = true;  // no comma before the next value
};

}  // namespace xtrader::api
