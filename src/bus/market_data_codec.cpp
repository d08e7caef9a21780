#include "xtrader/bus/market_data_codec.hpp"

#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader {

namespace {

void write_book_delta(JsonWriter& json, const MarketCatalog& catalog, const BookDeltaMessage& m) {
    const MarketSpec& market = catalog.markets[m.market];
    json.key("sequence").number(m.sequence);
    json.key("symbol").string(market.symbol);
    json.key("version").number(m.version);
    json.key("transaction_time").number(static_cast<std::uint64_t>(m.time_ms));
    json.key("changes").begin_array();
    for (const auto& c : m.changes) {
        json.begin_object();
        json.key("side").string(to_string(c.side));
        json.key("price").decimal_string(c.price, market.price_scale);
        json.key("volume").decimal_string(c.volume, market.qty_scale);
        json.key("order_count").number(c.order_count);
        json.end_object();
    }
    json.end_array();
}

bool amount(const JsonValue* value, int scale, std::int64_t& out) {
    return value != nullptr && value->is(JsonValue::Kind::String) &&
           parse_decimal(value->text, scale, out) == DecimalError::Ok && out >= 0;
}

std::optional<BookDeltaMessage> read_book_delta(const MarketCatalog& catalog,
                                                const JsonValue& object, std::string& error) {
    BookDeltaMessage m;
    const auto* symbol = object.find("symbol");
    const MarketSpec* market = symbol != nullptr && symbol->is(JsonValue::Kind::String)
                                   ? catalog.find(symbol->text)
                                   : nullptr;
    const auto* changes = object.find("changes");
    if (market == nullptr || !json_integer(object.find("sequence"), m.sequence) ||
        !json_integer(object.find("transaction_time"), m.time_ms) || m.time_ms < 0 ||
        changes == nullptr || !changes->is(JsonValue::Kind::Array)) {
        error = "a BookDelta needs sequence, a configured symbol, transaction_time and changes";
        return std::nullopt;
    }
    // Absent from messages written before books had versions: 0, unknown.
    if (const auto* version = object.find("version");
        version != nullptr && !json_integer(version, m.version)) {
        error = "a BookDelta's version is a non-negative integer";
        return std::nullopt;
    }
    m.market = static_cast<MarketId>(market - catalog.markets.data());
    for (const auto& item : changes->items) {
        BookLevelChanged c{m.market, Side::Buy, 0, 0, 0};
        const auto* side = item.find("side");
        if (side == nullptr || (side->text != "Buy" && side->text != "Sell") ||
            !amount(item.find("price"), market->price_scale, c.price) ||
            !amount(item.find("volume"), market->qty_scale, c.volume) ||
            !json_integer(item.find("order_count"), c.order_count)) {
            error = "a BookDelta change needs side, price, volume and order_count";
            return std::nullopt;
        }
        c.side = side->text == "Buy" ? Side::Buy : Side::Sell;
        m.changes.push_back(c);
    }
    return m;
}

}  // namespace

void encode_market_data(const MarketCatalog& catalog, const MarketDataMessage& message,
                        std::string& out) {
    JsonWriter json(out);
    json.begin_object();
    if (const auto* execution = std::get_if<ExecutionMessage>(&message)) {
        json.key("type").string("Execution");
        write_execution_fields(json, catalog, *execution);
    } else {
        json.key("type").string("BookDelta");
        write_book_delta(json, catalog, std::get<BookDeltaMessage>(message));
    }
    json.end_object();
}

std::optional<MarketDataMessage> decode_market_data(const MarketCatalog& catalog,
                                                    std::string_view text, std::string& error) {
    const auto object = parse_json_object(text, error, JsonNesting::Any);
    if (!object) return std::nullopt;
    const auto* type = object->find("type");
    if (type != nullptr && type->text == "Execution") {
        auto execution = read_execution_fields(catalog, *object, error);
        if (!execution) return std::nullopt;
        return *execution;
    }
    if (type != nullptr && type->text == "BookDelta") {
        auto delta = read_book_delta(catalog, *object, error);
        if (!delta) return std::nullopt;
        return *delta;
    }
    error = "type must be Execution or BookDelta";
    return std::nullopt;
}

}  // namespace xtrader
