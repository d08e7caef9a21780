#include "xtrader/api/order_requests.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <span>

#include "xtrader/api/request_target.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

std::variant<ClientOrderId, ApiError> client_order_id_of(const JsonValue& value) {
    if (value.kind != JsonValue::Kind::String) {
        return ApiError{400, "invalid_client_order_id", "client_order_id must be a string"};
    }
    return decode_client_order_id(value.text);
}

// A member that is there and not null.
const JsonValue* present(const JsonValue& request, std::string_view name) {
    const auto* v = request.find(name);
    return v != nullptr && v->kind != JsonValue::Kind::Null ? v : nullptr;
}

std::optional<ApiError> unknown_field(const JsonValue& request,
                                      std::span<const std::string_view> known) {
    for (const auto& [name, value] : request.members) {
        if (std::find(known.begin(), known.end(), name) == known.end()) {
            return ApiError{400, "unknown_field", "unknown field \"" + name + "\""};
        }
    }
    return std::nullopt;
}

// A price (or stop price) of the market: a positive multiple of the tick, at most the maximum.
std::optional<ApiError> decode_price(const JsonValue& value, const MarketSpec& market,
                                     const std::string& name, Price& out) {
    const std::string code = "invalid_" + name;
    if (value.kind != JsonValue::Kind::Number && value.kind != JsonValue::Kind::String) {
        return ApiError{400, code, name + " must be a number or a string"};
    }
    if (auto e = parse_decimal(value.text, market.price_scale, out);
        e != DecimalError::Ok || out <= 0) {
        return ApiError{400, code,
                        name + " " +
                            std::string(e == DecimalError::Ok ? "must be positive" : to_string(e)) +
                            " (at most " + std::to_string(market.price_scale) + " decimals)"};
    }
    if (out % market.tick_size != 0) {
        return ApiError{400, code,
                        name + " must be a multiple of the tick size " +
                            format_decimal(market.tick_size, market.price_scale)};
    }
    if (out > market.max_price) {
        return ApiError{
            400, code,
            name + " must be at most " + format_decimal(market.max_price, market.price_scale)};
    }
    return std::nullopt;
}

// A quantity of the market: a multiple of the lot between the minimum and the maximum.
std::optional<ApiError> decode_quantity(const JsonValue* value, const MarketSpec& market,
                                        Quantity& out) {
    if (value == nullptr ||
        (value->kind != JsonValue::Kind::Number && value->kind != JsonValue::Kind::String)) {
        return ApiError{400, "invalid_quantity", "quantity is required, as a number or a string"};
    }
    if (auto e = parse_decimal(value->text, market.qty_scale, out);
        e != DecimalError::Ok || out <= 0) {
        return ApiError{400, "invalid_quantity",
                        "quantity " +
                            std::string(e == DecimalError::Ok ? "must be positive" : to_string(e)) +
                            " (at most " + std::to_string(market.qty_scale) + " decimals)"};
    }
    if (out % market.lot_size != 0) {
        return ApiError{400, "invalid_quantity",
                        "quantity must be a multiple of the lot size " +
                            format_decimal(market.lot_size, market.qty_scale)};
    }
    if (out < market.min_quantity || out > market.max_quantity) {
        return ApiError{400, "invalid_quantity",
                        "quantity must be between " +
                            format_decimal(market.min_quantity, market.qty_scale) + " and " +
                            format_decimal(market.max_quantity, market.qty_scale)};
    }
    return std::nullopt;
}

}  // namespace

std::variant<PlaceOrder, ApiError> decode_place_order(std::string_view body,
                                                      const MarketCatalog& catalog,
                                                      AccountId account) {
    std::string error;
    const auto request = parse_json_object(body, error);
    if (!request) return ApiError{400, "malformed_json", error};

    static constexpr std::string_view kFields[] = {
        "symbol",        "side",      "order_type",      "price",     "quantity",
        "time_in_force", "post_only", "client_order_id", "stop_price"};
    if (auto e = unknown_field(*request, kFields)) return std::move(*e);
    const auto text = [&](std::string_view name) { return present(*request, name); };
    const auto* symbol = text("symbol");
    if (symbol == nullptr || symbol->kind != JsonValue::Kind::String) {
        return ApiError{400, "invalid_symbol", "symbol is required, as a string like \"BTC-KRW\""};
    }
    const MarketSpec* market = catalog.find(symbol->text);
    if (market == nullptr) {
        return ApiError{400, "unknown_symbol", "unknown symbol \"" + symbol->text + "\""};
    }
    PlaceOrder order;
    order.account = account;
    order.market = static_cast<MarketId>(market - catalog.markets.data());

    const auto* side = text("side");
    if (side == nullptr || (side->text != "Buy" && side->text != "Sell")) {
        return ApiError{400, "invalid_side", "side must be \"Buy\" or \"Sell\""};
    }
    order.side = side->text == "Buy" ? Side::Buy : Side::Sell;
    // The seed's body {symbol, side, price, quantity}: with a price and no type, a limit order.
    const auto* kind = text("order_type");
    if (kind == nullptr && text("price") == nullptr) {
        return ApiError{400, "invalid_order_type",
                        "order_type is required when no price is given (\"Limit\" or \"Market\")"};
    }
    const auto type =
        kind == nullptr ? std::optional(OrderType::Limit) : parse_order_type(kind->text);
    if (!type || (kind != nullptr && kind->kind != JsonValue::Kind::String)) {
        return ApiError{
            400, "invalid_order_type",
            "order_type must be \"Limit\", \"Market\", \"StopLimit\" or \"StopMarket\""};
    }
    order.type = *type;
    if (const auto* tif = text("time_in_force")) {
        const auto parsed = parse_time_in_force(tif->text);
        if (!parsed || tif->kind != JsonValue::Kind::String) {
            return ApiError{400, "invalid_time_in_force", "time_in_force must be GTC, IOC or FOK"};
        }
        order.tif = *parsed;
    }
    if (const auto* post_only = text("post_only")) {
        if (post_only->kind != JsonValue::Kind::Bool) {
            return ApiError{400, "invalid_post_only", "post_only must be true or false"};
        }
        order.post_only = post_only->text == "true";
    }
    if (const auto* client = text("client_order_id")) {
        auto id = client_order_id_of(*client);
        if (auto* e = std::get_if<ApiError>(&id)) return std::move(*e);
        order.client_order_id = std::get<ClientOrderId>(id);
    }

    if (auto e = decode_quantity(text("quantity"), *market, order.quantity)) return std::move(*e);
    const auto* price = text("price");
    if (has_limit_price(order.type)) {
        if (price == nullptr) {
            return ApiError{400, "invalid_price", "a limit order needs a price"};
        }
        if (auto e = decode_price(*price, *market, "price", order.price)) return std::move(*e);
    } else if (price != nullptr) {
        return ApiError{400, "invalid_price", "a market order takes no price"};
    }
    if (order.post_only && (order.type != OrderType::Limit || order.tif != TimeInForce::GTC)) {
        return ApiError{400, "invalid_post_only", "post_only is for GTC limit orders"};
    }
    const auto* stop = text("stop_price");
    if (is_stop(order.type)) {
        if (stop == nullptr) {
            return ApiError{400, "invalid_stop_price", "a stop order needs a stop_price"};
        }
        if (auto e = decode_price(*stop, *market, "stop_price", order.stop_price)) {
            return std::move(*e);
        }
    } else if (stop != nullptr) {
        return ApiError{400, "invalid_stop_price", "only a stop order takes a stop_price"};
    }
    return order;
}

std::variant<AmendOrder, ApiError> decode_amend_order(std::string_view body,
                                                      const MarketSpec& market) {
    std::string error;
    const auto request = parse_json_object(body, error);
    if (!request) return ApiError{400, "malformed_json", error};
    static constexpr std::string_view kFields[] = {"price", "quantity"};
    if (auto e = unknown_field(*request, kFields)) return std::move(*e);
    const auto* price = present(*request, "price");
    const auto* quantity = present(*request, "quantity");
    if (price == nullptr && quantity == nullptr) {
        return ApiError{400, "invalid_amendment", "give a new price, a new quantity or both"};
    }
    AmendOrder amend;
    if (price != nullptr) {
        if (auto e = decode_price(*price, market, "price", amend.new_price)) return std::move(*e);
    }
    if (quantity != nullptr) {
        if (auto e = decode_quantity(quantity, market, amend.new_quantity)) return std::move(*e);
    }
    return amend;
}

std::string encode_cursor(const ListPosition& at) {
    return std::to_string(at.time) + "." + std::to_string(at.id);
}

std::optional<ListPosition> decode_cursor(std::string_view text) {
    const auto dot = text.find('.');
    if (dot == std::string_view::npos) return std::nullopt;
    const auto time = parse_unsigned(text.substr(0, dot));
    const auto id = parse_unsigned(text.substr(dot + 1));
    if (!time || !id || *time > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return ListPosition{static_cast<Timestamp>(*time), *id};
}

std::variant<OrderId, ApiError> decode_order_id(std::string_view text) {
    OrderId id = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (err != std::errc{} || end != text.data() + text.size() || id == 0) {
        return ApiError{400, "invalid_order_id", "order_id must be a positive integer"};
    }
    return id;
}

std::variant<ClientOrderId, ApiError> decode_client_order_id(std::string_view text) {
    if (const auto id = ClientOrderId::parse(text)) return *id;
    return ApiError{400, "invalid_client_order_id",
                    "client_order_id must be 1 to 36 characters of A-Z a-z 0-9 . _ : -"};
}

std::variant<OrderRef, ApiError> decode_cancel_body(std::string_view body) {
    std::string error;
    const auto request = parse_json_object(body, error);
    if (!request) return ApiError{400, "malformed_json", error};
    for (const auto& [name, value] : request->members) {
        if (name != "order_id" && name != "client_order_id") {
            return ApiError{400, "unknown_field", "unknown field \"" + name + "\""};
        }
    }
    const auto* id = request->find("order_id");
    const auto* client = request->find("client_order_id");
    if ((id == nullptr) == (client == nullptr)) {
        return ApiError{400, "invalid_order_id", "give either order_id or client_order_id"};
    }
    OrderRef ref;
    if (client != nullptr) {
        auto decoded = client_order_id_of(*client);
        if (auto* e = std::get_if<ApiError>(&decoded)) return std::move(*e);
        ref.client_order_id = std::get<ClientOrderId>(decoded);
        return ref;
    }
    if (id->kind != JsonValue::Kind::String && id->kind != JsonValue::Kind::Number) {
        return ApiError{400, "invalid_order_id", "order_id must be a string or a number"};
    }
    auto decoded = decode_order_id(id->text);
    if (auto* e = std::get_if<ApiError>(&decoded)) return std::move(*e);
    ref.id = std::get<OrderId>(decoded);
    return ref;
}

}  // namespace xtrader::api
