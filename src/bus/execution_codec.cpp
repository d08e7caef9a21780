#include "xtrader/bus/execution_codec.hpp"

#include <cstdint>

#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader {

namespace {

// The message's fields, read from the parsed object with the error a consumer logs.
class Fields {
  public:
    explicit Fields(const JsonValue& object) : object_(object) {}

    bool unsigned_field(const char* name, std::uint64_t& out, std::string& error) const {
        const JsonValue* f = object_.find(name);
        if (!json_integer(f, out)) {
            error = std::string("field ") + name + " is missing or not an unsigned integer";
            return false;
        }
        return true;
    }

    bool decimal_field(const char* name, int scale, std::int64_t& out, std::string& error) const {
        const JsonValue* f = object_.find(name);
        if (f == nullptr || !f->is(JsonValue::Kind::String) ||
            parse_decimal(f->text, scale, out) != DecimalError::Ok || out < 0) {
            error = std::string("field ") + name + " is missing or not a decimal with at most " +
                    std::to_string(scale) + " decimals";
            return false;
        }
        return true;
    }

    const std::string* string_field(const char* name) const {
        const JsonValue* f = object_.find(name);
        return f != nullptr && f->is(JsonValue::Kind::String) ? &f->text : nullptr;
    }

  private:
    const JsonValue& object_;
};

}  // namespace

void write_execution_fields(JsonWriter& json, const MarketCatalog& catalog,
                            const ExecutionMessage& message) {
    const Trade& t = message.trade;
    const MarketSpec& market = catalog.markets[t.market];
    const AssetSpec& fee_asset = catalog.assets[market.quote];
    json.key("exec_id").number(t.exec_id);
    json.key("sequence").number(message.sequence);
    json.key("symbol").string(market.symbol);
    json.key("price").decimal_string(t.price, market.price_scale);
    json.key("quantity").decimal_string(t.quantity, market.qty_scale);
    json.key("taker_side").string(to_string(t.taker_side));
    json.key("taker_order_id").number(t.taker_order_id);
    json.key("maker_order_id").number(t.maker_order_id);
    json.key("taker_account").number(t.taker_account);
    json.key("maker_account").number(t.maker_account);
    json.key("taker_fee").decimal_string(t.taker_fee, fee_asset.scale);
    json.key("maker_fee").decimal_string(t.maker_fee, fee_asset.scale);
    json.key("fee_asset").string(fee_asset.name);
    json.key("taker_remaining").decimal_string(t.taker_remaining, market.qty_scale);
    json.key("maker_remaining").decimal_string(t.maker_remaining, market.qty_scale);
    json.key("transaction_time").number(static_cast<std::uint64_t>(message.time_ms));
}

void encode_execution(const MarketCatalog& catalog, const ExecutionMessage& message,
                      std::string& out) {
    JsonWriter json(out);
    json.begin_object();
    write_execution_fields(json, catalog, message);
    json.end_object();
}

std::optional<ExecutionMessage> decode_execution(const MarketCatalog& catalog,
                                                 std::string_view text, std::string& error) {
    const auto object = parse_json_object(text, error);
    if (!object) {
        error = "not a flat JSON object: " + error;
        return std::nullopt;
    }
    return read_execution_fields(catalog, *object, error);
}

std::optional<ExecutionMessage> read_execution_fields(const MarketCatalog& catalog,
                                                      const JsonValue& object, std::string& error) {
    const Fields json(object);
    ExecutionMessage m;
    Trade& t = m.trade;
    const auto symbol = json.string_field("symbol");
    const MarketSpec* market = symbol ? catalog.find(*symbol) : nullptr;
    if (market == nullptr) {
        error = "field symbol is missing or names no configured market";
        return std::nullopt;
    }
    t.market = static_cast<MarketId>(market - catalog.markets.data());
    const int fee_scale = catalog.assets[market->quote].scale;
    const auto side = json.string_field("taker_side");
    if (!side || (*side != "Buy" && *side != "Sell")) {
        error = "field taker_side is missing or not Buy / Sell";
        return std::nullopt;
    }
    t.taker_side = *side == "Buy" ? Side::Buy : Side::Sell;
    std::uint64_t taker_account = 0, maker_account = 0, time = 0;
    const bool ok =
        json.unsigned_field("exec_id", t.exec_id, error) &&
        json.unsigned_field("sequence", m.sequence, error) &&
        json.decimal_field("price", market->price_scale, t.price, error) &&
        json.decimal_field("quantity", market->qty_scale, t.quantity, error) &&
        json.unsigned_field("taker_order_id", t.taker_order_id, error) &&
        json.unsigned_field("maker_order_id", t.maker_order_id, error) &&
        json.unsigned_field("taker_account", taker_account, error) &&
        json.unsigned_field("maker_account", maker_account, error) &&
        json.decimal_field("taker_fee", fee_scale, t.taker_fee, error) &&
        json.decimal_field("maker_fee", fee_scale, t.maker_fee, error) &&
        json.decimal_field("taker_remaining", market->qty_scale, t.taker_remaining, error) &&
        json.decimal_field("maker_remaining", market->qty_scale, t.maker_remaining, error) &&
        json.unsigned_field("transaction_time", time, error);
    if (!ok) return std::nullopt;
    if (taker_account > UINT32_MAX || maker_account > UINT32_MAX ||
        time > static_cast<std::uint64_t>(INT64_MAX)) {
        error = "an account or the time is out of range";
        return std::nullopt;
    }
    t.taker_account = static_cast<AccountId>(taker_account);
    t.maker_account = static_cast<AccountId>(maker_account);
    m.time_ms = static_cast<Timestamp>(time);
    return m;
}

}  // namespace xtrader
