#include "xtrader/consumers/alert_codec.hpp"

#include <charconv>

#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader {

using surveillance::Alert;

namespace {

// Every alert names at most this many accounts, executions and orders: evidence, not a dump.
constexpr std::size_t kMaxEvidence = 1000;

template <std::unsigned_integral T>
bool id_text(const JsonValue& value, T& out) {
    if (!value.is(JsonValue::Kind::String) || value.text.empty()) return false;
    const char* end = value.text.data() + value.text.size();
    const auto [stop, ec] = std::from_chars(value.text.data(), end, out);
    return ec == std::errc{} && stop == end;
}

// An array of ids, each a decimal string (`quoted`) or a JSON integer.
template <std::unsigned_integral T>
bool ids(const JsonValue* value, bool quoted, std::vector<T>& out) {
    if (value == nullptr || !value->is(JsonValue::Kind::Array) ||
        value->items.size() > kMaxEvidence) {
        return false;
    }
    for (const auto& item : value->items) {
        T id{};
        if (!(quoted ? id_text(item, id) : json_integer(&item, id))) return false;
        out.push_back(id);
    }
    return true;
}

}  // namespace

void encode_alert(const MarketCatalog& catalog, const Alert& alert, std::string& out) {
    JsonWriter json(out);
    json.begin_object().key("id").string(alert.id);
    json.key("kind").string(to_string(alert.kind));
    json.key("severity").string(to_string(alert.severity));
    json.key("symbol").string(catalog.markets[alert.market].symbol);
    json.key("time").number(to_millis(alert.time));
    json.key("sequence").number(alert.sequence);
    json.key("accounts").begin_array();
    for (const auto a : alert.accounts) json.number(a);
    json.end_array().key("executions").begin_array();
    for (const auto e : alert.executions) json.string(std::to_string(e));
    json.end_array().key("orders").begin_array();
    for (const auto o : alert.orders) json.string(std::to_string(o));
    json.end_array().key("summary").string(alert.summary).end_object();
}

std::optional<Alert> decode_alert(const MarketCatalog& catalog, std::string_view text,
                                  std::string& error) {
    const auto doc = parse_json_object(text, error, JsonNesting::ScalarArrays);
    if (!doc) return std::nullopt;
    const auto fail = [&](const char* why) {
        error = why;
        return std::nullopt;
    };
    Alert a;
    const auto* id = doc->find("id");
    if (id == nullptr || !id->is(JsonValue::Kind::String) || id->text.empty() ||
        id->text.size() > 200) {
        return fail("id: a string of 1 to 200 characters");
    }
    a.id = id->text;
    const auto* kind = doc->find("kind");
    const auto parsed_kind = kind != nullptr && kind->is(JsonValue::Kind::String)
                                 ? surveillance::parse_alert_kind(kind->text)
                                 : std::nullopt;
    if (!parsed_kind) return fail("kind: not an alert kind");
    a.kind = *parsed_kind;
    const auto* severity = doc->find("severity");
    const auto parsed_severity = severity != nullptr && severity->is(JsonValue::Kind::String)
                                     ? surveillance::parse_severity(severity->text)
                                     : std::nullopt;
    if (!parsed_severity) return fail("severity: info, warning or critical");
    a.severity = *parsed_severity;
    const auto* symbol = doc->find("symbol");
    const auto* market = symbol != nullptr && symbol->is(JsonValue::Kind::String)
                             ? catalog.find(symbol->text)
                             : nullptr;
    if (market == nullptr) return fail("symbol: no such market");
    a.market = static_cast<MarketId>(market - catalog.markets.data());
    std::int64_t millis = 0;
    if (!json_integer(doc->find("time"), millis) || millis < 0) return fail("time: milliseconds");
    a.time = millis * kNanosPerMilli;
    if (!json_integer(doc->find("sequence"), a.sequence)) return fail("sequence: an integer");
    if (!ids(doc->find("accounts"), false, a.accounts)) return fail("accounts: an array of ids");
    if (!ids(doc->find("executions"), true, a.executions)) {
        return fail("executions: an array of id strings");
    }
    if (!ids(doc->find("orders"), true, a.orders)) return fail("orders: an array of id strings");
    const auto* summary = doc->find("summary");
    if (summary == nullptr || !summary->is(JsonValue::Kind::String)) {
        return fail("summary: a string");
    }
    a.summary = summary->text;
    return a;
}

}  // namespace xtrader
