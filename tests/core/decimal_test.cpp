#include "xtrader/core/decimal.hpp"

#include <gtest/gtest.h>

namespace xtrader {
namespace {

std::int64_t parse_ok(std::string_view text, int scale) {
    std::int64_t value = -1;
    EXPECT_EQ(parse_decimal(text, scale, value), DecimalError::Ok) << text;
    return value;
}

DecimalError parse_error(std::string_view text, int scale) {
    std::int64_t value = 12345;
    const auto error = parse_decimal(text, scale, value);
    EXPECT_EQ(value, 12345) << "a failed parse must not write: " << text;
    return error;
}

TEST(Decimal, ParsesExactlyAtTheScale) {
    EXPECT_EQ(parse_ok("1.5", 8), 150'000'000);
    EXPECT_EQ(parse_ok("0.1", 8), 10'000'000);
    EXPECT_EQ(parse_ok("0.00000001", 8), 1);
    EXPECT_EQ(parse_ok("50000000", 0), 50'000'000);
    EXPECT_EQ(parse_ok("1.50000000000", 2), 150);  // trailing zeros are not excess decimals
    EXPECT_EQ(parse_ok("0", 4), 0);
    EXPECT_EQ(parse_ok("-0", 4), 0);
    EXPECT_EQ(parse_ok("0007.25", 2), 725);
    EXPECT_EQ(parse_ok("92233720368.54775807", 8), 9'223'372'036'854'775'807);
}

TEST(Decimal, ParsesJsonExponents) {
    EXPECT_EQ(parse_ok("1e3", 0), 1000);
    EXPECT_EQ(parse_ok("1.5E-3", 4), 15);
    EXPECT_EQ(parse_ok("25e-1", 1), 25);
    EXPECT_EQ(parse_ok("0.0001e+4", 0), 1);
    EXPECT_EQ(parse_ok("0e999999999", 0), 0);
}

TEST(Decimal, RefusesWhatDoesNotFit) {
    EXPECT_EQ(parse_error("1.123", 2), DecimalError::TooManyDecimals);
    EXPECT_EQ(parse_error("1e-3", 2), DecimalError::TooManyDecimals);
    EXPECT_EQ(parse_error("-1", 2), DecimalError::Negative);
    EXPECT_EQ(parse_error("-0.5", 2), DecimalError::Negative);
    EXPECT_EQ(parse_error("92233720368.54775808", 8), DecimalError::Overflow);
    EXPECT_EQ(parse_error("1e19", 0), DecimalError::Overflow);
    EXPECT_EQ(parse_error("1e400", 0), DecimalError::Overflow);
    EXPECT_EQ(parse_error("123456789012345678901234567890", 0), DecimalError::Overflow);
    EXPECT_EQ(parse_error("1e99999999999999999999", 0), DecimalError::Overflow);
}

TEST(Decimal, RefusesMalformedText) {
    for (const char* text : {"", "-", ".5", "5.", "1.2.3", "NaN", "nan", "Infinity", "inf", "1e",
                             "1e+", "0x10", " 1", "1 ", "+1", "1,5", "--1", "١"}) {
        EXPECT_EQ(parse_error(text, 8), DecimalError::Malformed) << text;
    }
}

TEST(Decimal, FormatsWithExactlyTheScale) {
    EXPECT_EQ(format_decimal(150'000'000, 8), "1.50000000");
    EXPECT_EQ(format_decimal(1, 8), "0.00000001");
    EXPECT_EQ(format_decimal(0, 2), "0.00");
    EXPECT_EQ(format_decimal(-5, 2), "-0.05");
    EXPECT_EQ(format_decimal(50'000'000, 0), "50000000");
    EXPECT_EQ(format_decimal(INT64_MIN, 0), "-9223372036854775808");
}

TEST(Decimal, FormatThenParseIsTheIdentity) {
    for (std::int64_t v : {0LL, 1LL, 9LL, 10LL, 123456789LL, 9'223'372'036'854'775'807LL}) {
        for (int scale : {0, 1, 4, 8, 18}) {
            EXPECT_EQ(parse_ok(format_decimal(v, scale), scale), v);
        }
    }
}

}  // namespace
}  // namespace xtrader
