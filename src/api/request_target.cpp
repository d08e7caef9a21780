#include "xtrader/api/request_target.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace xtrader::api {

namespace {

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string url_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
            hex_digit(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept {
    std::uint64_t value = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

RequestTarget::RequestTarget(std::string_view target) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (target.size() >= scheme.size() &&
            std::equal(scheme.begin(), scheme.end(), target.begin(), [](char a, char b) {
                return a == std::tolower(static_cast<unsigned char>(b));
            })) {
            const auto slash = target.find_first_of("/?", scheme.size());
            target = slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
            if (target.front() == '?') target = "/";
            break;
        }
    }
    const auto q = target.find('?');
    path_ = target.substr(0, q);
    if (q == std::string_view::npos) return;
    std::string_view rest = target.substr(q + 1);
    while (!rest.empty()) {
        const auto amp = rest.find('&');
        const auto pair = rest.substr(0, amp);
        const auto eq = pair.find('=');
        if (!pair.empty()) {
            query_.emplace_back(
                url_decode(pair.substr(0, eq)),
                eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1)));
        }
        if (amp == std::string_view::npos) break;
        rest = rest.substr(amp + 1);
    }
}

const std::string* RequestTarget::param(std::string_view name) const noexcept {
    for (const auto& [key, value] : query_) {
        if (key == name) return &value;
    }
    return nullptr;
}

}  // namespace xtrader::api
