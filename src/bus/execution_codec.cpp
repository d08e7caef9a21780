#include "xtrader/bus/execution_codec.hpp"

#include <array>
#include <charconv>
#include <cstdint>

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

// The message's fields as text, read by a strict scanner for flat objects of strings and
// unsigned integers: exactly what encode_execution writes, and far cheaper than a JSON DOM on
// the persister's path. Escapes, nesting, signs and fractions outside strings are refused.
class FlatObject {
  public:
    static std::optional<FlatObject> parse(std::string_view text, std::string& error) {
        FlatObject object;
        std::size_t i = 0;
        const auto skip = [&] {
            while (i < text.size() &&
                   (text[i] == ' ' || text[i] == '\n' || text[i] == '\t' || text[i] == '\r')) {
                ++i;
            }
        };
        const auto string = [&](std::string_view& out) {
            if (i >= text.size() || text[i] != '"') return false;
            const auto end = text.find_first_of("\"\\", i + 1);
            if (end == std::string_view::npos || text[end] != '"') return false;
            out = text.substr(i + 1, end - i - 1);
            i = end + 1;
            return true;
        };
        skip();
        if (i >= text.size() || text[i++] != '{') return object.fail(error, "not a JSON object");
        skip();
        if (i < text.size() && text[i] == '}') return object.fail(error, "an empty object");
        while (true) {
            Field field;
            skip();
            if (!string(field.name)) return object.fail(error, "a malformed key");
            skip();
            if (i >= text.size() || text[i++] != ':')
                return object.fail(error, "no ':' after a key");
            skip();
            if (i < text.size() && text[i] == '"') {
                if (!string(field.text)) return object.fail(error, "a malformed string");
                field.quoted = true;
            } else {
                const auto start = i;
                while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
                if (i == start)
                    return object.fail(error, "a value that is not a string or an integer");
                field.text = text.substr(start, i - start);
            }
            if (object.count_ == object.fields_.size())
                return object.fail(error, "too many fields");
            object.fields_[object.count_++] = field;
            skip();
            if (i < text.size() && text[i] == ',') {
                ++i;
                continue;
            }
            if (i < text.size() && text[i] == '}') break;
            return object.fail(error, "no ',' or '}' after a value");
        }
        ++i;  // the '}'
        skip();
        if (i != text.size()) return object.fail(error, "text after the object");
        return object;
    }

    bool unsigned_field(const char* name, std::uint64_t& out, std::string& error) const {
        const Field* f = find(name);
        if (f == nullptr || f->quoted ||
            std::from_chars(f->text.data(), f->text.data() + f->text.size(), out).ec !=
                std::errc{}) {
            error = std::string("field ") + name + " is missing or not an unsigned integer";
            return false;
        }
        return true;
    }

    bool decimal_field(const char* name, int scale, std::int64_t& out, std::string& error) const {
        const Field* f = find(name);
        if (f == nullptr || !f->quoted || parse_decimal(f->text, scale, out) != DecimalError::Ok ||
            out < 0) {
            error = std::string("field ") + name + " is missing or not a decimal with at most " +
                    std::to_string(scale) + " decimals";
            return false;
        }
        return true;
    }

    std::optional<std::string_view> string_field(const char* name) const {
        const Field* f = find(name);
        if (f == nullptr || !f->quoted) return std::nullopt;
        return f->text;
    }

  private:
    struct Field {
        std::string_view name;
        std::string_view text;
        bool quoted = false;
    };

    const Field* find(std::string_view name) const {
        for (std::size_t i = 0; i < count_; ++i) {
            if (fields_[i].name == name) return &fields_[i];
        }
        return nullptr;
    }
    std::optional<FlatObject> fail(std::string& error, const char* why) const {
        error = std::string("not a flat JSON object: ") + why;
        return std::nullopt;
    }

    std::array<Field, 24> fields_{};
    std::size_t count_ = 0;
};

}  // namespace

void encode_execution(const MarketCatalog& catalog, const ExecutionMessage& message,
                      std::string& out) {
    const Trade& t = message.trade;
    const MarketSpec& market = catalog.markets[t.market];
    const int fee_scale = catalog.assets[market.quote].scale;
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
}

std::optional<ExecutionMessage> decode_execution(const MarketCatalog& catalog,
                                                 std::string_view text, std::string& error) {
    const auto json = FlatObject::parse(text, error);
    if (!json) return std::nullopt;
    ExecutionMessage m;
    Trade& t = m.trade;
    const auto symbol = json->string_field("symbol");
    const MarketSpec* market = symbol ? catalog.find(*symbol) : nullptr;
    if (market == nullptr) {
        error = "field symbol is missing or names no configured market";
        return std::nullopt;
    }
    t.market = static_cast<MarketId>(market - catalog.markets.data());
    const int fee_scale = catalog.assets[market->quote].scale;
    const auto side = json->string_field("taker_side");
    if (!side || (*side != "Buy" && *side != "Sell")) {
        error = "field taker_side is missing or not Buy / Sell";
        return std::nullopt;
    }
    t.taker_side = *side == "Buy" ? Side::Buy : Side::Sell;
    std::uint64_t taker_account = 0, maker_account = 0, time = 0;
    const bool ok =
        json->unsigned_field("exec_id", t.exec_id, error) &&
        json->unsigned_field("sequence", m.sequence, error) &&
        json->decimal_field("price", market->price_scale, t.price, error) &&
        json->decimal_field("quantity", market->qty_scale, t.quantity, error) &&
        json->unsigned_field("taker_order_id", t.taker_order_id, error) &&
        json->unsigned_field("maker_order_id", t.maker_order_id, error) &&
        json->unsigned_field("taker_account", taker_account, error) &&
        json->unsigned_field("maker_account", maker_account, error) &&
        json->decimal_field("taker_fee", fee_scale, t.taker_fee, error) &&
        json->decimal_field("maker_fee", fee_scale, t.maker_fee, error) &&
        json->decimal_field("taker_remaining", market->qty_scale, t.taker_remaining, error) &&
        json->decimal_field("maker_remaining", market->qty_scale, t.maker_remaining, error) &&
        json->unsigned_field("transaction_time", time, error);
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
