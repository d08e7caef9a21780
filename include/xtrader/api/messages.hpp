// JSON encodings shared by the REST answers and the WebSocket messages (API.md's shapes).
#pragma once

#include <vector>

#include "xtrader/json/writer.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader::api {

inline constexpr std::int64_t kNanosPerMilli = 1'000'000;
inline std::int64_t millis(Timestamp nanos) noexcept {
    return nanos / kNanosPerMilli;
}

// The HTTP status and API error code of an engine refusal (API.md): 402 for a short balance,
// 404 / 403 / 409 for an order that is unknown / another account's / final, 400 otherwise.
struct HttpRefusal {
    unsigned status;
    std::string_view code;
};
HttpRefusal http_refusal(RejectReason reason) noexcept;

// One order; its executions only when given (the answer to POST /v1/order). Writes an object.
void write_order(JsonWriter& json, const MarketSpec& m, const OrderRecord& o,
                 const std::vector<const Trade*>* executions, const AssetSpec& quote);
// The statistics fields (into an open object).
void write_statistics(JsonWriter& json, const MarketSpec& m, const MarketStatistics& s);
// One candle object.
void write_candle(JsonWriter& json, const MarketSpec& m, const Candle& k);
// "bids", "asks", "sequence", "version" (into an open object).
void write_book(JsonWriter& json, const MarketSpec& m, const BookView& book);

}  // namespace xtrader::api
