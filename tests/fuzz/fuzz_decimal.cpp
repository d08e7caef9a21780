// Decimals from the network and the configuration: any text either parses to a value that
// formats and parses back to itself, or is refused; nothing crashes or overflows.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xtrader/core/decimal.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const int scale = data[0] % 19;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    std::int64_t value = 0;
    if (xtrader::parse_decimal(text, scale, value) != xtrader::DecimalError::Ok) return 0;
    std::int64_t again = 0;
    if (xtrader::parse_decimal(xtrader::format_decimal(value, scale), scale, again) !=
            xtrader::DecimalError::Ok ||
        again != value) {
        std::abort();
    }
    return 0;
}
