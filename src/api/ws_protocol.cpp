#include "xtrader/api/ws_protocol.hpp"

#include "xtrader/json/reader.hpp"

namespace xtrader::api {

std::variant<WsRequest, WsRequestError> parse_ws_request(std::string_view text) {
    std::string error;
    const auto json = parse_json_object(text, error, JsonNesting::ScalarArrays);
    const JsonValue* op = json ? json->find("op") : nullptr;
    if (op == nullptr || !op->is(JsonValue::Kind::String)) {
        return WsRequestError{"bad_request", "send a JSON object with an \"op\""};
    }
    WsRequest request;
    if (op->text == "ping") {
        request.op = WsRequest::Op::Ping;
        return request;
    }
    if (op->text == "auth") {
        request.op = WsRequest::Op::Auth;
        if (const JsonValue* token = json->find("admin_token")) {
            if (!token->is(JsonValue::Kind::String)) {
                return WsRequestError{"unauthorized", "admin_token must be a string"};
            }
            request.admin_token = token->text;
            return request;
        }
        const JsonValue* key = json->find("api_key");
        if (key == nullptr || !key->is(JsonValue::Kind::String)) {
            return WsRequestError{"unauthorized", "api_key must be a string"};
        }
        request.api_key = key->text;
        if (const JsonValue* flag = json->find("cancel_on_disconnect")) {
            if (!flag->is(JsonValue::Kind::Bool)) {
                return WsRequestError{"bad_request", "cancel_on_disconnect must be true or false"};
            }
            request.cancel_on_disconnect = flag->text == "true";
        }
        return request;
    }
    if (op->text == "options") {
        request.op = WsRequest::Op::Options;
        const JsonValue* batch = json->find("batch");
        if (batch == nullptr || !batch->is(JsonValue::Kind::Bool)) {
            return WsRequestError{"bad_request", "options needs \"batch\": true or false"};
        }
        request.batch = batch->text == "true";
        return request;
    }
    if (op->text == "subscribe") {
        request.op = WsRequest::Op::Subscribe;
    } else if (op->text == "unsubscribe") {
        request.op = WsRequest::Op::Unsubscribe;
    } else {
        return WsRequestError{"unknown_op",
                              "op must be subscribe, unsubscribe, auth, options or ping"};
    }
    const JsonValue* channels = json->find("channels");
    if (channels == nullptr || !channels->is(JsonValue::Kind::Array)) {
        return WsRequestError{"bad_request", "\"channels\" must be an array"};
    }
    if (channels->items.size() > kMaxChannelsPerMessage) {
        return WsRequestError{"bad_request", "at most " + std::to_string(kMaxChannelsPerMessage) +
                                                 " channels in one message"};
    }
    for (const auto& item : channels->items) {
        request.channels.push_back(item.is(JsonValue::Kind::String) ? item.text : std::string{});
    }
    return request;
}

}  // namespace xtrader::api
