// Exact conversion between decimal text and 64-bit fixed-point integers.
//
// parse_decimal accepts the JSON number grammar (optional '-', digits, optional fraction,
// optional exponent) as well as plain decimal strings, and never goes through floating point:
// "0.1" at scale 8 is exactly 10000000. It refuses, with a reason, anything that does not fit
// the scale exactly (excess decimals), negatives, NaN/Infinity text and values beyond int64.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace xtrader {

enum class DecimalError : std::uint8_t {
    Ok,
    Malformed,        // not a decimal number
    Negative,         // a '-' sign on a non-zero value
    TooManyDecimals,  // more fractional digits than the scale (after the exponent) allows
    Overflow,         // the scaled value does not fit in int64
};

std::string_view to_string(DecimalError error) noexcept;

// Parses text into out = value * 10^scale (scale 0..18); out is untouched unless Ok.
DecimalError parse_decimal(std::string_view text, int scale, std::int64_t& out) noexcept;

// Formats value / 10^scale with exactly `scale` decimals ("1.50000000" at scale 8).
std::string format_decimal(std::int64_t value, int scale);

// 10^exponent for exponent 0..18.
constexpr std::int64_t pow10(int exponent) noexcept {
    std::int64_t result = 1;
    for (int i = 0; i < exponent; ++i) result *= 10;
    return result;
}

}  // namespace xtrader
