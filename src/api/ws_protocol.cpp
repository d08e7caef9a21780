#include "xtrader/api/ws_protocol.hpp"

#include <nlohmann/json.hpp>

namespace xtrader::api {

std::variant<WsRequest, WsRequestError> parse_ws_request(std::string_view text) {
    // No exceptions: a parse error gives a discarded value, and every access below checks the
    // type first (nlohmann's operator[] and value() throw on a mismatch).
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return WsRequestError{"bad_request", "send a JSON object with an \"op\""};
    }
    const auto op = json.find("op");
    if (op == json.end() || !op->is_string()) {
        return WsRequestError{"bad_request", "send a JSON object with an \"op\""};
    }
    const auto& name = op->get_ref<const std::string&>();
    WsRequest request;
    if (name == "ping") {
        request.op = WsRequest::Op::Ping;
        return request;
    }
    if (name == "auth") {
        const auto key = json.find("api_key");
        if (key == json.end() || !key->is_string()) {
            return WsRequestError{"unauthorized", "api_key must be a string"};
        }
        request.op = WsRequest::Op::Auth;
        request.api_key = key->get<std::string>();
        return request;
    }
    if (name == "subscribe") {
        request.op = WsRequest::Op::Subscribe;
    } else if (name == "unsubscribe") {
        request.op = WsRequest::Op::Unsubscribe;
    } else {
        return WsRequestError{"unknown_op", "op must be subscribe, unsubscribe, auth or ping"};
    }
    const auto channels = json.find("channels");
    if (channels == json.end() || !channels->is_array()) {
        return WsRequestError{"bad_request", "\"channels\" must be an array"};
    }
    if (channels->size() > kMaxChannelsPerMessage) {
        return WsRequestError{"bad_request", "at most " + std::to_string(kMaxChannelsPerMessage) +
                                                 " channels in one message"};
    }
    for (const auto& item : *channels) {
        request.channels.push_back(item.is_string() ? item.get<std::string>() : std::string{});
    }
    return request;
}

}  // namespace xtrader::api
