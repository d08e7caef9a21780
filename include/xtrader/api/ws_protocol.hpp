// The client side of the WebSocket protocol (API.md): one text message from a client, decoded
// into what it asks for, or the error to send back. Pure: no session, no I/O; every field is
// type-checked before it is read, so no input can throw. The WebSocket fuzz target calls it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace xtrader::api {

struct WsRequest {
    enum class Op { Subscribe, Unsubscribe, Auth, Ping, Options };
    Op op = Op::Ping;
    std::string api_key;                // Auth: an account's key
    std::string admin_token;            // Auth: or the admin token (the `alerts` channel)
    bool cancel_on_disconnect = false;  // Auth with a key: cancel its orders when the link drops
    std::vector<std::string> channels;  // Subscribe / Unsubscribe; "" for an item not a string
    bool batch = false;                 // Options: every write one JSON array of what is ready
};

struct WsRequestError {
    std::string_view code;  // bad_request, unknown_op, unauthorized
    std::string message;
};

// At most this many channels in one (un)subscribe message.
inline constexpr std::size_t kMaxChannelsPerMessage = 64;

std::variant<WsRequest, WsRequestError> parse_ws_request(std::string_view text);

}  // namespace xtrader::api
