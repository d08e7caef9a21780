// The REST order requests, decoded and validated into engine commands: pure functions of the
// body and the markets, with no daemon, thread or clock behind them, so that each is unit-tested
// and fuzzed on its own. Validation follows API.md's order: symbol, side and type, quantity,
// price; the balance is the engine's to check (402).
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "xtrader/core/market.hpp"
#include "xtrader/engine/command.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader::api {

// A refusal: the HTTP status, the API's error code and a sentence for the client.
struct ApiError {
    unsigned status = 400;
    std::string code;
    std::string message;
};

// POST /v1/order's JSON body, for `account`.
std::variant<PlaceOrder, ApiError> decode_place_order(std::string_view body,
                                                      const MarketCatalog& catalog,
                                                      AccountId account);

// PATCH /v1/order/{id}'s JSON body {"price"?, "quantity"?} for an order of `market`: the
// amendment without its account and order id, which the route fills in.
std::variant<AmendOrder, ApiError> decode_amend_order(std::string_view body,
                                                      const MarketSpec& market);

// An order id from a path segment ("13").
std::variant<OrderId, ApiError> decode_order_id(std::string_view text);
// A client_order_id from a query parameter.
std::variant<ClientOrderId, ApiError> decode_client_order_id(std::string_view text);

// The order a cancel names: its id, or the account's client_order_id (exactly one is set).
struct OrderRef {
    OrderId id = 0;
    ClientOrderId client_order_id;
};
// POST /v1/order/cancel's JSON body: {"order_id": "13"} (a string or a number) or
// {"client_order_id": "bot-1"}.
std::variant<OrderRef, ApiError> decode_cancel_body(std::string_view body);

// The cursor of GET /v1/execution: where the previous page stopped, handed to the client as
// `next` and read back from `cursor=`, "<time_ns>.<exec_id>" of its last execution. Opaque to
// clients; decoding refuses anything encoding did not make. (Order lists page by the last
// order's id.)
std::string encode_cursor(const ListPosition& at);
std::optional<ListPosition> decode_cursor(std::string_view text);

}  // namespace xtrader::api
