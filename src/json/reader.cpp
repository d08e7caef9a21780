#include "xtrader/json/reader.hpp"

#include <array>
#include <nlohmann/json.hpp>

namespace xtrader {

namespace {

constexpr std::size_t kAnyDepth = 16;

// Builds the tree from nlohmann's SAX events, which validate the syntax, the escapes and the
// UTF-8; numbers arrive with their own text.
class TreeBuilder final : public nlohmann::json_sax<nlohmann::json> {
  public:
    // array_top: the top level may be an array too (another service's answer).
    TreeBuilder(JsonValue& root, JsonNesting nesting, bool array_top = false)
        : root_(root), nesting_(nesting), array_top_(array_top) {}

    bool null() override { return scalar(JsonValue::Kind::Null, {}); }
    bool boolean(bool v) override { return scalar(JsonValue::Kind::Bool, v ? "true" : "false"); }
    bool number_integer(number_integer_t v) override {
        return scalar(JsonValue::Kind::Number, std::to_string(v));
    }
    bool number_unsigned(number_unsigned_t v) override {
        return scalar(JsonValue::Kind::Number, std::to_string(v));
    }
    bool number_float(number_float_t, const string_t& text) override {
        return scalar(JsonValue::Kind::Number, text);
    }
    bool string(string_t& v) override { return scalar(JsonValue::Kind::String, std::move(v)); }
    bool binary(binary_t&) override { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) override {
        if (depth_ != 0 && !nests(JsonValue::Kind::Object)) {
            return fail("nested objects are not accepted");
        }
        return open(JsonValue::Kind::Object);
    }
    bool key(string_t& name) override {
        if (top().members.size() == kMaxJsonMembers) {
            return fail("more than " + std::to_string(kMaxJsonMembers) + " fields in one object");
        }
        if (top().find(name) != nullptr) {
            return fail("the field \"" + name + "\" appears twice");
        }
        key_ = std::move(name);
        return true;
    }
    bool end_object() override { return close(); }
    bool start_array(std::size_t) override {
        if (depth_ == 0) {
            return array_top_ ? open(JsonValue::Kind::Array)
                              : fail("the body must be a JSON object");
        }
        if (!nests(JsonValue::Kind::Array)) return fail("arrays are not accepted");
        return open(JsonValue::Kind::Array);
    }
    bool end_array() override { return close(); }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception&) override {
        return fail("malformed JSON at byte " + std::to_string(position));
    }

    const std::string& error() const noexcept { return error_; }
    bool complete() const noexcept { return done_; }

  private:
    // Whether a container of `kind` may open at the current depth.
    bool nests(JsonValue::Kind kind) const {
        switch (nesting_) {
            case JsonNesting::Flat: return false;
            case JsonNesting::ScalarArrays: return kind == JsonValue::Kind::Array && depth_ == 1;
            case JsonNesting::Any: return depth_ < kAnyDepth;
        }
        return false;
    }
    JsonValue& place(JsonValue value) {
        JsonValue& parent = top();
        if (parent.is(JsonValue::Kind::Array)) return parent.items.emplace_back(std::move(value));
        return parent.members.emplace_back(JsonMember{std::move(key_), std::move(value)}).value;
    }
    bool scalar(JsonValue::Kind kind, std::string text) {
        if (depth_ == 0) return fail("the body must be a JSON object");
        place(JsonValue{kind, std::move(text), {}, {}});
        return true;
    }
    bool open(JsonValue::Kind kind) {
        JsonValue* opened = &root_;
        if (depth_ == 0) {
            root_.kind = kind;
        } else {
            opened = &place(JsonValue{kind, {}, {}, {}});
        }
        // Request bodies have a handful of members: one allocation, not four.
        if (kind == JsonValue::Kind::Object) opened->members.reserve(8);
        stack_[depth_++] = opened;
        return true;
    }
    bool close() {
        done_ = --depth_ == 0;
        return true;
    }
    JsonValue& top() const { return *stack_[depth_ - 1]; }
    bool fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return false;
    }

    JsonValue& root_;
    JsonNesting nesting_;
    bool array_top_;
    // The open containers; pointers stay valid because only the innermost one grows.
    std::array<JsonValue*, kAnyDepth + 1> stack_{};
    std::size_t depth_ = 0;
    std::string key_;
    std::string error_;
    bool done_ = false;
};

}  // namespace

const JsonValue* JsonValue::find(std::string_view key) const noexcept {
    for (const auto& [name, value] : members) {
        if (name == key) return &value;
    }
    return nullptr;
}

std::optional<JsonValue> parse_json_object(std::string_view text, std::string& error,
                                           JsonNesting nesting) {
    JsonValue root;
    TreeBuilder builder(root, nesting);
    const bool ok = nlohmann::json::sax_parse(text, &builder);
    if (!ok || !builder.error().empty() || !builder.complete()) {
        error = !builder.error().empty() ? builder.error()
                : builder.complete()     ? "malformed JSON"
                                         : "the body must be a JSON object";
        return std::nullopt;
    }
    return root;
}

std::optional<JsonValue> parse_json_document(std::string_view text, std::string& error) {
    JsonValue root;
    TreeBuilder builder(root, JsonNesting::Any, true);
    const bool ok = nlohmann::json::sax_parse(text, &builder);
    if (!ok || !builder.error().empty() || !builder.complete()) {
        error = !builder.error().empty() ? builder.error()
                : builder.complete()     ? "malformed JSON"
                                         : "not a JSON object or array";
        return std::nullopt;
    }
    return root;
}

}  // namespace xtrader
