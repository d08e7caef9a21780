#include "xtrader/json/writer.hpp"

#include <charconv>
#include <cstdio>

#include "xtrader/core/decimal.hpp"

namespace xtrader {

namespace {

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
        // Most text (every key, most values) is plain ASCII: copy such a run whole.
        std::size_t plain = 0;
        while (plain < text.size()) {
            const auto c = static_cast<unsigned char>(text[plain]);
            if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') break;
            ++plain;
        }
        out.append(text.data(), plain);
        text.remove_prefix(plain);
        if (text.empty()) break;
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

template <typename Integer>
void append_integer(std::string& out, Integer value) {
    char digits[24];
    out.append(digits, std::to_chars(digits, digits + sizeof digits, value).ptr);
}

}  // namespace

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
    append_integer(out_, value);
    return *this;
}
JsonWriter& JsonWriter::number(std::uint64_t value) {
    separate();
    append_integer(out_, value);
    return *this;
}
JsonWriter& JsonWriter::decimal(std::int64_t value, int scale) {
    separate();
    out_ += format_decimal(value, scale);
    return *this;
}
JsonWriter& JsonWriter::decimal_string(std::int64_t value, int scale) {
    separate();
    out_.push_back('"');
    out_ += format_decimal(value, scale);
    out_.push_back('"');
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

}  // namespace xtrader
