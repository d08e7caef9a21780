// The persistence pipeline's message: one execution as JSON, with every field of the trade,
// both order ids, both accounts, both fees, the time and the journal sequence. Prices and
// quantities are decimal strings with the market's exact decimals (never binary floats), e.g.
//   {"exec_id":7,"sequence":42,"symbol":"BTC-KRW","price":"50000000","quantity":"0.0100",
//    "taker_side":"Buy","taker_order_id":42,"maker_order_id":40,"taker_account":1,
//    "maker_account":2,"taker_fee":"250","maker_fee":"250","fee_asset":"KRW",
//    "taker_remaining":"0.0000","maker_remaining":"0.0400","transaction_time":1732480000000}
// transaction_time is in milliseconds since the Unix epoch (the wire convention).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xtrader/core/market.hpp"
#include "xtrader/engine/event.hpp"

namespace xtrader {

struct ExecutionMessage {
    Sequence sequence = 0;
    Timestamp time_ms = 0;
    Trade trade{};
    bool operator==(const ExecutionMessage&) const = default;
};

class JsonWriter;
class JsonValue;

// The message's fields, into an object the caller has opened (the Kafka market-data topic puts
// its "type" first), and read back from a parsed object.
void write_execution_fields(JsonWriter& json, const MarketCatalog& catalog,
                            const ExecutionMessage& message);
std::optional<ExecutionMessage> read_execution_fields(const MarketCatalog& catalog,
                                                      const JsonValue& object, std::string& error);

// Appends the message's JSON to `out`.
void encode_execution(const MarketCatalog& catalog, const ExecutionMessage& message,
                      std::string& out);

// nullopt, with `error` saying why, when the text is not a valid message for these markets.
std::optional<ExecutionMessage> decode_execution(const MarketCatalog& catalog,
                                                 std::string_view text, std::string& error);

}  // namespace xtrader
