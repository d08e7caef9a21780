// The messages of the Kafka topic `surveillance-alerts` (keyed by symbol), which are also what
// PostgreSQL's `alerts` rows and GET /v1/admin/alerts carry:
//
//   {"id":"large_trade:2","kind":"large_trade","severity":"warning","symbol":"BTC-KRW",
//    "time":1732480000000,"sequence":42,"accounts":[3,4],"executions":["2"],
//    "orders":["1004","1005"],"summary":"execution 2 of 2.0000 BTC at ..."}
//
// Ids are decimal strings (JavaScript numbers cannot hold every 64-bit id); time is in
// milliseconds since the Unix epoch (a decoded alert's time is whole milliseconds).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xtrader/core/market.hpp"
#include "xtrader/surveillance/detector.hpp"

namespace xtrader {

void encode_alert(const MarketCatalog& catalog, const surveillance::Alert& alert, std::string& out);
// nullopt, with `error` saying why, when the text is not an alert of these markets.
std::optional<surveillance::Alert> decode_alert(const MarketCatalog& catalog, std::string_view text,
                                                std::string& error);

}  // namespace xtrader
