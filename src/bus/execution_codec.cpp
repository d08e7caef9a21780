#include "xtrader/bus/execution_codec.hpp"

#include <nlohmann/json.hpp>

#include "xtrader/core/decimal.hpp"

namespace xtrader {

namespace {

void field(std::string& out, std::string_view name, std::uint64_t value) {
    out += '"';
    out += name;
    out += "\":";
    out += std::to_string(value);
    out += ',';
}

void field(std::string& out, std::string_view name, std::string_view text) {
    out += '"';
    out += name;
    out += "\":\"";
    out += text;  // symbols, sides, assets and decimals: nothing to escape
    out += "\",";
}

// Reads one field; false (with error) when it is missing or has the wrong shape.
bool unsigned_field(const nlohmann::json& json, const char* name, std::uint64_t& out,
                    std::string& error) {
    const auto it = json.find(name);
    if (it == json.end() || !it->is_number_unsigned()) {
        error = std::string("field ") + name + " is missing or not an unsigned integer";
        return false;
    }
    out = it->get<std::uint64_t>();
    return true;
}

bool decimal_field(const nlohmann::json& json, const char* name, int scale, std::int64_t& out,
                   std::string& error) {
    const auto it = json.find(name);
    if (it == json.end() || !it->is_string() ||
        parse_decimal(it->get_ref<const std::string&>(), scale, out) != DecimalError::Ok ||
        out < 0) {
        error = std::string("field ") + name + " is missing or not a decimal with at most " +
                std::to_string(scale) + " decimals";
        return false;
    }
    return true;
}

}  // namespace

std::string encode_execution(const MarketCatalog& catalog, const ExecutionMessage& message) {
    const Trade& t = message.trade;
    const MarketSpec& market = catalog.markets[t.market];
    const int fee_scale = catalog.assets[market.quote].scale;
    std::string out;
    out.reserve(400);
    out += '{';
    field(out, "exec_id", t.exec_id);
    field(out, "sequence", message.sequence);
    field(out, "symbol", market.symbol);
    field(out, "price", format_decimal(t.price, market.price_scale));
    field(out, "quantity", format_decimal(t.quantity, market.qty_scale));
    field(out, "taker_side", to_string(t.taker_side));
    field(out, "taker_order_id", t.taker_order_id);
    field(out, "maker_order_id", t.maker_order_id);
    field(out, "taker_account", t.taker_account);
    field(out, "maker_account", t.maker_account);
    field(out, "taker_fee", format_decimal(t.taker_fee, fee_scale));
    field(out, "maker_fee", format_decimal(t.maker_fee, fee_scale));
    field(out, "fee_asset", catalog.assets[market.quote].name);
    field(out, "taker_remaining", format_decimal(t.taker_remaining, market.qty_scale));
    field(out, "maker_remaining", format_decimal(t.maker_remaining, market.qty_scale));
    field(out, "transaction_time", static_cast<std::uint64_t>(message.time_ms));
    out.back() = '}';
    return out;
}

std::optional<ExecutionMessage> decode_execution(const MarketCatalog& catalog,
                                                 std::string_view text, std::string& error) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (!json.is_object()) {
        error = "not a JSON object";
        return std::nullopt;
    }
    ExecutionMessage m;
    Trade& t = m.trade;
    const auto symbol = json.find("symbol");
    const MarketSpec* market = symbol != json.end() && symbol->is_string()
                                   ? catalog.find(symbol->get_ref<const std::string&>())
                                   : nullptr;
    if (market == nullptr) {
        error = "field symbol is missing or names no configured market";
        return std::nullopt;
    }
    t.market = static_cast<MarketId>(market - catalog.markets.data());
    const int fee_scale = catalog.assets[market->quote].scale;
    std::uint64_t taker_account = 0, maker_account = 0, time = 0;
    const auto side = json.find("taker_side");
    if (side == json.end() || !side->is_string() || (*side != "Buy" && *side != "Sell")) {
        error = "field taker_side is missing or not Buy / Sell";
        return std::nullopt;
    }
    t.taker_side = *side == "Buy" ? Side::Buy : Side::Sell;
    const bool ok =
        unsigned_field(json, "exec_id", t.exec_id, error) &&
        unsigned_field(json, "sequence", m.sequence, error) &&
        decimal_field(json, "price", market->price_scale, t.price, error) &&
        decimal_field(json, "quantity", market->qty_scale, t.quantity, error) &&
        unsigned_field(json, "taker_order_id", t.taker_order_id, error) &&
        unsigned_field(json, "maker_order_id", t.maker_order_id, error) &&
        unsigned_field(json, "taker_account", taker_account, error) &&
        unsigned_field(json, "maker_account", maker_account, error) &&
        decimal_field(json, "taker_fee", fee_scale, t.taker_fee, error) &&
        decimal_field(json, "maker_fee", fee_scale, t.maker_fee, error) &&
        decimal_field(json, "taker_remaining", market->qty_scale, t.taker_remaining, error) &&
        decimal_field(json, "maker_remaining", market->qty_scale, t.maker_remaining, error) &&
        unsigned_field(json, "transaction_time", time, error);
    if (!ok) return std::nullopt;
    t.taker_account = static_cast<AccountId>(taker_account);
    t.maker_account = static_cast<AccountId>(maker_account);
    m.time_ms = static_cast<Timestamp>(time);
    return m;
}

}  // namespace xtrader
