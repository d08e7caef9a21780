// The persistence pipeline's message as a consumer reads it from Redis: decoded or refused with
// a reason; a decoded message encodes and decodes back to itself.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "btc_krw.hpp"
#include "xtrader/bus/execution_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto catalog = xtrader::testing::btc_krw_catalog();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string error;
    const auto message = xtrader::decode_execution(catalog, text, error);
    if (!message) {
        if (error.empty()) std::abort();
        return 0;
    }
    std::string encoded;
    xtrader::encode_execution(catalog, *message, encoded);
    const auto again = xtrader::decode_execution(catalog, encoded, error);
    if (!again || !(*again == *message)) std::abort();
    return 0;
}
