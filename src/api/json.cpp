#include "xtrader/api/json.hpp"

#include <nlohmann/json.hpp>

#include "xtrader/core/decimal.hpp"

namespace xtrader::api {

namespace {

// Accepts one object of scalars; refuses anything nested.
class FlatObjectReader final : public nlohmann::json_sax<nlohmann::json> {
  public:
    explicit FlatObjectReader(FlatObject& out) : out_(out) {}

    bool null() override { return value({JsonScalar::Kind::Null, {}}); }
    bool boolean(bool v) override { return value({JsonScalar::Kind::Bool, v ? "true" : "false"}); }
    bool number_integer(number_integer_t v) override {
        return value({JsonScalar::Kind::Number, std::to_string(v)});
    }
    bool number_unsigned(number_unsigned_t v) override {
        return value({JsonScalar::Kind::Number, std::to_string(v)});
    }
    bool number_float(number_float_t, const string_t& text) override {
        return value({JsonScalar::Kind::Number, text});
    }
    bool string(string_t& v) override { return value({JsonScalar::Kind::String, v}); }
    bool binary(binary_t&) override { return fail("binary values are not JSON"); }
    bool start_object(std::size_t) override {
        if (depth_++ != 0) return fail("nested objects are not accepted");
        return true;
    }
    bool key(string_t& name) override {
        if (out_.find(name) != nullptr) return fail("the field \"" + name + "\" appears twice");
        key_ = name;
        return true;
    }
    bool end_object() override {
        --depth_;
        return true;
    }
    bool start_array(std::size_t) override { return fail("arrays are not accepted"); }
    bool end_array() override { return false; }
    bool parse_error(std::size_t position, const std::string&,
                     const nlohmann::detail::exception&) override {
        return fail("malformed JSON at byte " + std::to_string(position));
    }

    const std::string& error() const noexcept { return error_; }

  private:
    bool value(JsonScalar scalar) {
        if (depth_ != 1) return fail("the body must be a JSON object");
        out_.members.emplace_back(std::move(key_), std::move(scalar));
        return true;
    }
    bool fail(std::string message) {
        if (error_.empty()) error_ = std::move(message);
        return false;
    }

    FlatObject& out_;
    int depth_ = 0;
    std::string key_;
    std::string error_;
};

// The length of the well-formed UTF-8 sequence at the start of `text` (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF), or 0 when it is not one.
std::size_t utf8_sequence(std::string_view text) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(0);
    std::size_t length = 0;
    unsigned char low = 0x80, high = 0xBF;  // the range of the second byte
    if (lead < 0x80) return 1;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        if (lead == 0xE0) low = 0xA0;
        if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        if (lead == 0xF0) low = 0x90;
        if (lead == 0xF4) high = 0x8F;
    } else {
        return 0;
    }
    if (text.size() < length || byte(1) < low || byte(1) > high) return 0;
    for (std::size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xBF) return 0;
    }
    return length;
}

// Escapes what JSON requires; a byte that does not start well-formed UTF-8 (a path from the
// network, say) becomes U+FFFD, so that every document written is valid UTF-8.
void append_escaped(std::string& out, std::string_view text) {
    out.push_back('"');
    while (!text.empty()) {
        const char c = text.front();
        std::size_t length = 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20) {
                    char buffer[8];
                    std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
                    out += buffer;
                } else if (length = utf8_sequence(text); length == 0) {
                    out += "\xEF\xBF\xBD";
                    length = 1;
                } else {
                    out.append(text.data(), length);
                }
        }
        text.remove_prefix(length);
    }
    out.push_back('"');
}

}  // namespace

const JsonScalar* FlatObject::find(std::string_view key) const noexcept {
    for (const auto& [name, value] : members) {
        if (name == key) return &value;
    }
    return nullptr;
}

std::optional<FlatObject> parse_flat_object(std::string_view body, std::string& error) {
    FlatObject object;
    FlatObjectReader reader(object);
    const bool ok = nlohmann::json::sax_parse(body, &reader);
    if (!ok || !reader.error().empty()) {
        error = reader.error().empty() ? "malformed JSON" : reader.error();
        return std::nullopt;
    }
    if (object.members.empty() && body.find('{') == std::string_view::npos) {
        error = "the body must be a JSON object";
        return std::nullopt;
    }
    return object;
}

void JsonWriter::separate() {
    if (!first_) out_.push_back(',');
    first_ = false;
}

JsonWriter& JsonWriter::begin_object() {
    separate();
    out_.push_back('{');
    first_ = true;
    return *this;
}
JsonWriter& JsonWriter::end_object() {
    out_.push_back('}');
    first_ = false;
    return *this;
}
JsonWriter& JsonWriter::begin_array() {
    separate();
    out_.push_back('[');
    first_ = true;
    return *this;
}
JsonWriter& JsonWriter::end_array() {
    out_.push_back(']');
    first_ = false;
    return *this;
}
JsonWriter& JsonWriter::key(std::string_view name) {
    separate();
    append_escaped(out_, name);
    out_.push_back(':');
    first_ = true;  // the value follows without a comma
    return *this;
}
JsonWriter& JsonWriter::string(std::string_view value) {
    separate();
    append_escaped(out_, value);
    return *this;
}
JsonWriter& JsonWriter::number(std::int64_t value) {
    separate();
    out_ += std::to_string(value);
    return *this;
}
JsonWriter& JsonWriter::number(std::uint64_t value) {
    separate();
    out_ += std::to_string(value);
    return *this;
}
JsonWriter& JsonWriter::decimal(std::int64_t value, int scale) {
    separate();
    out_ += format_decimal(value, scale);
    return *this;
}
JsonWriter& JsonWriter::boolean(bool value) {
    separate();
    out_ += value ? "true" : "false";
    return *this;
}
JsonWriter& JsonWriter::null() {
    separate();
    out_ += "null";
    return *this;
}

}  // namespace xtrader::api
