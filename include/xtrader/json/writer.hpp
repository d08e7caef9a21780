// The project's one JSON writer: appends to a string, with no tree in between.
//
// Decimals are written as JSON numbers with exactly the market's decimals (1.50000000), which no
// double-based library can; every string written is escaped and valid UTF-8, whatever bytes it
// was given (a path from the network, say). Not thread-safe; one writer per document.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xtrader {

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
    JsonWriter& decimal(std::int64_t value, int scale);         // a JSON number, `scale` decimals
    JsonWriter& decimal_string(std::int64_t value, int scale);  // the same as a JSON string
    JsonWriter& boolean(bool value);
    JsonWriter& null();

  private:
    void separate();

    std::string& out_;
    bool first_ = true;  // no comma before the next value
};

}  // namespace xtrader
