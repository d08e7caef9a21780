#include "xtrader/api/order_requests.hpp"

#include <algorithm>
#include <charconv>

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

}  // namespace

std::variant<PlaceOrder, ApiError> decode_place_order(std::string_view body,
                                                      const MarketCatalog& catalog,
                                                      AccountId account) {
    std::string error;
    const auto request = parse_json_object(body, error);
    if (!request) return ApiError{400, "malformed_json", error};

    static constexpr std::string_view kFields[] = {"symbol",    "side",           "order_type",
                                                   "price",     "quantity",       "time_in_force",
                                                   "post_only", "client_order_id"};
    for (const auto& [name, value] : request->members) {
        if (std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields)) {
            return ApiError{400, "unknown_field", "unknown field \"" + name + "\""};
        }
    }
    const auto text = [&](std::string_view name) -> const JsonValue* {
        const auto* v = request->find(name);
        return v != nullptr && v->kind != JsonValue::Kind::Null ? v : nullptr;
    };
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
    if (kind != nullptr && kind->text != "Limit" && kind->text != "Market") {
        return ApiError{400, "invalid_order_type", "order_type must be \"Limit\" or \"Market\""};
    }
    order.type = kind == nullptr || kind->text == "Limit" ? OrderType::Limit : OrderType::Market;
    if (const auto* tif = text("time_in_force")) {
        if (tif->text == "GTC") {
            order.tif = TimeInForce::GTC;
        } else if (tif->text == "IOC") {
            order.tif = TimeInForce::IOC;
        } else if (tif->text == "FOK") {
            order.tif = TimeInForce::FOK;
        } else {
            return ApiError{400, "invalid_time_in_force", "time_in_force must be GTC, IOC or FOK"};
        }
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

    const auto* quantity = text("quantity");
    if (quantity == nullptr || quantity->kind == JsonValue::Kind::Bool) {
        return ApiError{400, "invalid_quantity", "quantity is required, as a number or a string"};
    }
    if (auto e = parse_decimal(quantity->text, market->qty_scale, order.quantity);
        e != DecimalError::Ok || order.quantity <= 0) {
        return ApiError{400, "invalid_quantity",
                        "quantity " +
                            std::string(e == DecimalError::Ok ? "must be positive" : to_string(e)) +
                            " (at most " + std::to_string(market->qty_scale) + " decimals)"};
    }
    if (order.quantity % market->lot_size != 0) {
        return ApiError{400, "invalid_quantity",
                        "quantity must be a multiple of the lot size " +
                            format_decimal(market->lot_size, market->qty_scale)};
    }
    if (order.quantity < market->min_quantity || order.quantity > market->max_quantity) {
        return ApiError{400, "invalid_quantity",
                        "quantity must be between " +
                            format_decimal(market->min_quantity, market->qty_scale) + " and " +
                            format_decimal(market->max_quantity, market->qty_scale)};
    }

    const auto* price = text("price");
    if (order.type == OrderType::Limit) {
        if (price == nullptr || price->kind == JsonValue::Kind::Bool) {
            return ApiError{400, "invalid_price", "a limit order needs a price"};
        }
        if (auto e = parse_decimal(price->text, market->price_scale, order.price);
            e != DecimalError::Ok || order.price <= 0) {
            return ApiError{
                400, "invalid_price",
                "price " + std::string(e == DecimalError::Ok ? "must be positive" : to_string(e)) +
                    " (at most " + std::to_string(market->price_scale) + " decimals)"};
        }
        if (order.price % market->tick_size != 0) {
            return ApiError{400, "invalid_price",
                            "price must be a multiple of the tick size " +
                                format_decimal(market->tick_size, market->price_scale)};
        }
        if (order.price > market->max_price) {
            return ApiError{
                400, "invalid_price",
                "price must be at most " + format_decimal(market->max_price, market->price_scale)};
        }
        if (order.post_only && order.tif != TimeInForce::GTC) {
            return ApiError{400, "invalid_post_only", "post_only needs time_in_force GTC"};
        }
    } else {
        if (price != nullptr)
            return ApiError{400, "invalid_price", "a market order takes no price"};
        if (order.post_only)
            return ApiError{400, "invalid_post_only", "a market order cannot be post-only"};
    }

    return order;
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
