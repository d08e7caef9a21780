#include "xtrader/consumers/order_event_codec.hpp"

#include <charconv>

#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader {

namespace {

// The enum value named by a JSON string, with the enum's own parse function.
template <typename Enum>
bool named(const JsonValue* value, std::optional<Enum> (*parse)(std::string_view), Enum& out) {
    if (value == nullptr || !value->is(JsonValue::Kind::String)) return false;
    const auto parsed = parse(value->text);
    if (parsed) out = *parsed;
    return parsed.has_value();
}

bool decimal(const JsonValue* value, int scale, std::int64_t& out) {
    return value != nullptr && value->is(JsonValue::Kind::String) &&
           parse_decimal(value->text, scale, out) == DecimalError::Ok && out >= 0;
}

// An id sent as a decimal string (JavaScript numbers cannot hold every 64-bit id).
bool id_string(const JsonValue* value, std::uint64_t& out) {
    if (value == nullptr || !value->is(JsonValue::Kind::String) || value->text.empty()) {
        return false;
    }
    const char* end = value->text.data() + value->text.size();
    const auto [stop, ec] = std::from_chars(value->text.data(), end, out);
    return ec == std::errc{} && stop == end;
}

}  // namespace

void encode_order_event(const MarketCatalog& catalog, const OrderChange& message,
                        std::string& out) {
    const OrderRecord& o = message.order;
    const MarketSpec& m = catalog.markets[o.market];
    JsonWriter json(out);
    json.begin_object();
    json.key("type").string("Order");
    json.key("sequence").number(o.sequence);
    json.key("change").number(message.change);
    json.key("account_id").number(o.account);
    json.key("order_id").string(std::to_string(o.id));
    json.key("client_order_id");
    if (o.client_order_id.empty()) {
        json.null();
    } else {
        json.string(o.client_order_id.view());
    }
    json.key("symbol").string(m.symbol);
    json.key("side").string(to_string(o.side));
    json.key("order_type").string(to_string(o.type));
    json.key("time_in_force").string(to_string(o.tif));
    json.key("post_only").boolean(o.post_only);
    json.key("status").string(to_string(o.status));
    json.key("reason").string(o.reason);
    json.key("price").decimal_string(o.price, m.price_scale);
    if (is_stop(o.type)) json.key("stop_price").decimal_string(o.stop_price, m.price_scale);
    json.key("quantity").decimal_string(o.quantity, m.qty_scale);
    json.key("filled_quantity").decimal_string(o.filled, m.qty_scale);
    json.key("remaining_quantity").decimal_string(o.remaining(), m.qty_scale);
    json.key("average_price").decimal_string(o.average_price(), m.price_scale);
    json.key("filled_amount").decimal_string(o.price_volume, m.price_scale + m.qty_scale);
    json.key("timestamp").number(static_cast<std::uint64_t>(to_millis(o.updated)));
    json.key("created_time").number(static_cast<std::uint64_t>(to_millis(o.created)));
    json.end_object();
}

std::optional<OrderChange> decode_order_event(const MarketCatalog& catalog, std::string_view text,
                                              std::string& error) {
    const auto object = parse_json_object(text, error, JsonNesting::Flat);
    if (!object) return std::nullopt;
    const auto* type = object->find("type");
    if (type == nullptr || type->text != "Order") {
        error = "type must be Order";
        return std::nullopt;
    }
    OrderChange message;
    OrderRecord& o = message.order;
    const auto* symbol = object->find("symbol");
    const MarketSpec* m = symbol != nullptr && symbol->is(JsonValue::Kind::String)
                              ? catalog.find(symbol->text)
                              : nullptr;
    if (m == nullptr) {
        error = "symbol must be a configured market";
        return std::nullopt;
    }
    o.market = static_cast<MarketId>(m - catalog.markets.data());
    const auto* order_id = object->find("order_id");
    const auto* client_order_id = object->find("client_order_id");
    const auto* post_only = object->find("post_only");
    const auto* reason = object->find("reason");
    Timestamp updated_ms = -1;
    Timestamp created_ms = -1;
    if (!json_integer(object->find("sequence"), o.sequence) ||
        !json_integer(object->find("change"), message.change) ||
        !json_integer(object->find("account_id"), o.account) || !id_string(order_id, o.id) ||
        !named(object->find("side"), parse_side, o.side) ||
        !named(object->find("order_type"), parse_order_type, o.type) ||
        !named(object->find("time_in_force"), parse_time_in_force, o.tif) ||
        !named(object->find("status"), parse_order_status, o.status) || post_only == nullptr ||
        !post_only->is(JsonValue::Kind::Bool) || reason == nullptr ||
        !reason->is(JsonValue::Kind::String) ||
        !decimal(object->find("price"), m->price_scale, o.price) ||
        !decimal(object->find("quantity"), m->qty_scale, o.quantity) ||
        !decimal(object->find("filled_quantity"), m->qty_scale, o.filled) ||
        !decimal(object->find("filled_amount"), m->price_scale + m->qty_scale, o.price_volume) ||
        !json_integer(object->find("timestamp"), updated_ms) || updated_ms < 0 ||
        !json_integer(object->find("created_time"), created_ms) || created_ms < 0 ||
        o.filled > o.quantity ||
        (is_stop(o.type) && !decimal(object->find("stop_price"), m->price_scale, o.stop_price))) {
        error = "an Order event needs every field of an order, valid for its market";
        return std::nullopt;
    }
    o.post_only = post_only->text == "true";
    o.reason = reason->text;
    if (client_order_id != nullptr && client_order_id->is(JsonValue::Kind::String)) {
        const auto id = ClientOrderId::parse(client_order_id->text);
        if (!id) {
            error = "client_order_id is not a valid client order id";
            return std::nullopt;
        }
        o.client_order_id = *id;
    }
    o.updated = updated_ms * kNanosPerMilli;
    o.created = created_ms * kNanosPerMilli;
    return message;
}

}  // namespace xtrader
