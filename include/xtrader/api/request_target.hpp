// An HTTP request target taken apart: its path and its decoded query parameters. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xtrader::api {

class RequestTarget {
  public:
    // The origin form ("/path?query") or the absolute form ("http://host/path?query", RFC 9112
    // 3.2.2), which routes by its path. `path` views into `target`.
    explicit RequestTarget(std::string_view target);

    std::string_view path() const noexcept { return path_; }
    // The first value of a query parameter, percent-decoded; nullptr when absent.
    const std::string* param(std::string_view name) const noexcept;

  private:
    std::string_view path_;
    std::vector<std::pair<std::string, std::string>> query_;
};

// Percent-decoding of a query component ('+' is a space); a malformed escape stays as it is.
std::string url_decode(std::string_view text);

// A whole decimal integer with no sign, or nullopt.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept;

}  // namespace xtrader::api
