// A WebSocket client's message: decoded or refused with a code; no input throws.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "xtrader/api/ws_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto request = xtrader::api::parse_ws_request(text);
    if (const auto* r = std::get_if<xtrader::api::WsRequest>(&request)) {
        if (r->channels.size() > xtrader::api::kMaxChannelsPerMessage) std::abort();
    } else if (std::get<xtrader::api::WsRequestError>(request).code.empty()) {
        std::abort();
    }
    return 0;
}
