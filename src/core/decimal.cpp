#include "xtrader/core/decimal.hpp"

#include <limits>

#include "xtrader/core/types.hpp"

namespace xtrader {

std::string_view to_string(DecimalError error) noexcept {
    switch (error) {
        case DecimalError::Ok: return "ok";
        case DecimalError::Malformed: return "not a decimal number";
        case DecimalError::Negative: return "must not be negative";
        case DecimalError::TooManyDecimals: return "has more decimals than allowed";
        case DecimalError::Overflow: return "is too large";
    }
    return "unknown";
}

namespace {

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

}  // namespace

DecimalError parse_decimal(std::string_view text, int scale, std::int64_t& out) noexcept {
    std::size_t i = 0;
    const bool negative = i < text.size() && text[i] == '-';
    if (negative) ++i;

    // value = D * 10^(pending - places + exponent), where D is the significant digits up to the
    // last non-zero one, `pending` the zeros after it and `places` the digits right of the point.
    char digits[20];
    long significant = 0;
    long pending = 0;
    long places = 0;
    bool overlong = false;  // more than 20 significant digits: no int64 value has that many
    const auto take = [&](char c, bool fractional) {
        if (fractional) ++places;
        if (c == '0') {
            if (significant > 0) ++pending;
            return;
        }
        if (significant + pending + 1 > 20) {
            overlong = true;
        } else {
            for (long k = 0; k < pending; ++k) digits[significant + k] = '0';
            digits[significant + pending] = c;
        }
        significant += pending + 1;
        pending = 0;
    };

    const std::size_t int_begin = i;
    while (i < text.size() && is_digit(text[i])) take(text[i++], false);
    if (i == int_begin) return DecimalError::Malformed;
    if (i < text.size() && text[i] == '.') {
        ++i;
        const std::size_t frac_begin = i;
        while (i < text.size() && is_digit(text[i])) take(text[i++], true);
        if (i == frac_begin) return DecimalError::Malformed;
    }
    long exponent = 0;
    if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
        ++i;
        bool exp_negative = false;
        if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
        const std::size_t exp_begin = i;
        while (i < text.size() && is_digit(text[i])) {
            if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
            ++i;
        }
        if (i == exp_begin) return DecimalError::Malformed;
        if (exp_negative) exponent = -exponent;
    }
    if (i != text.size()) return DecimalError::Malformed;

    if (significant == 0) {
        out = 0;
        return DecimalError::Ok;
    }
    if (negative) return DecimalError::Negative;

    const long shift = scale + pending - places + exponent;  // value = D * 10^shift
    if (shift < 0) return DecimalError::TooManyDecimals;
    if (overlong || significant + shift > 19) return DecimalError::Overflow;

    UInt128 value = 0;
    for (long k = 0; k < significant; ++k)
        value = value * 10 + static_cast<unsigned>(digits[k] - '0');
    for (long k = 0; k < shift; ++k) value *= 10;
    if (value > static_cast<UInt128>(std::numeric_limits<std::int64_t>::max())) {
        return DecimalError::Overflow;
    }
    out = static_cast<std::int64_t>(value);
    return DecimalError::Ok;
}

std::string format_decimal(std::int64_t value, int scale) {
    const bool negative = value < 0;
    // Work in unsigned so that INT64_MIN has a magnitude.
    unsigned long long magnitude = negative ? 0ULL - static_cast<unsigned long long>(value)
                                            : static_cast<unsigned long long>(value);
    std::string digits = std::to_string(magnitude);
    if (scale > 0) {
        if (digits.size() <= static_cast<std::size_t>(scale)) {
            digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
        }
        digits.insert(digits.size() - static_cast<std::size_t>(scale), 1, '.');
    }
    if (negative) digits.insert(0, 1, '-');
    return digits;
}

}  // namespace xtrader
