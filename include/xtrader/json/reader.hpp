// The project's one JSON reader, exact for numbers.
//
// A document becomes a small tree of JsonValue. Every number keeps its own text, so "1.5" or
// 1.5e-3 reaches parse_decimal exactly, never through a double. The caller says how deep a
// document may nest: a REST body or a bus message is a flat object of scalars, a WebSocket
// request may hold arrays of scalars, a state file the daemon wrote itself nests further.
// Anything deeper, a repeated key, or text after the value is refused with a reason.
#pragma once

#include <charconv>
#include <concepts>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace xtrader {

struct JsonMember;

class JsonValue {
  public:
    enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };

    Kind kind = Kind::Null;
    std::string text;                 // a string's value, a number's
                                      // text, "true" / "false"
    std::vector<JsonValue> items;     // an array's values
    std::vector<JsonMember> members;  // an object's, in document order

    bool is(Kind k) const noexcept { return kind == k; }
    // An object's member, or nullptr. Linear: the objects read here have a few dozen members.
    const JsonValue* find(std::string_view key) const noexcept;
};

struct JsonMember {
    std::string name;
    JsonValue value;
};

// A number that is a whole integer fitting T exactly ("42"; not "4.2", "-1" for an unsigned T,
// or out of range); false for anything else, a missing value included.
template <std::integral T>
bool json_integer(const JsonValue* value, T& out) noexcept {
    if (value == nullptr || !value->is(JsonValue::Kind::Number)) return false;
    const char* end = value->text.data() + value->text.size();
    const auto [stop, ec] = std::from_chars(value->text.data(), end, out);
    return ec == std::errc{} && stop == end;
}

// An object holds at most this many members: the duplicate check is linear per key, and no
// document read here comes near it.
inline constexpr std::size_t kMaxJsonMembers = 256;

// How deep values may nest below the top-level object.
enum class JsonNesting : std::uint8_t {
    Flat,          // scalars only: REST bodies, bus messages
    ScalarArrays,  // scalars and arrays of scalars: WebSocket requests
    Any,           // up to 16 levels: files the daemon writes itself
};

// The document's top-level object, or nullopt with `error` saying why: not JSON, not an object,
// nested deeper than allowed, a repeated key.
std::optional<JsonValue> parse_json_object(std::string_view text, std::string& error,
                                           JsonNesting nesting = JsonNesting::Flat);
// Another service's answer: a top-level object or array, nested up to 16 levels.
std::optional<JsonValue> parse_json_document(std::string_view text, std::string& error);

}  // namespace xtrader
