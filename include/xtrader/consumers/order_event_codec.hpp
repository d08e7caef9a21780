// The messages of the Kafka topic `order-events`, keyed by account id so that one account's
// orders stay in order in one partition: one message per change of an order (accepted, each
// fill, a price move, cancelled, rejected), carrying the order's whole state after the change,
// with the fields of POST /v1/order's answer plus its account and the quote amount filled:
//
//   {"type":"Order","sequence":42,"change":1,"account_id":1,"order_id":"17",
//    "client_order_id":null,"symbol":"BTC-KRW","side":"Buy","order_type":"Limit",
//    "time_in_force":"GTC","post_only":false,"status":"PartiallyFilled","reason":"",
//    "price":"50000000","quantity":"0.0100","filled_quantity":"0.0050",
//    "remaining_quantity":"0.0050","average_price":"50000000","filled_amount":"250000.0000",
//    "timestamp":1732480000000,"created_time":1732480000000}
//
// (sequence, change) orders an order's changes: `change` counts the changes one command made
// to orders, from 0, so a consumer keeps the greatest and drops what is older. Decimals are
// strings with the market's exact decimals; times are milliseconds since the Unix epoch (a
// decoded order's created and updated are whole milliseconds).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "xtrader/core/market.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader {

void encode_order_event(const MarketCatalog& catalog, const OrderChange& message, std::string& out);
// nullopt, with `error` saying why, when the text is not an order event of these markets.
std::optional<OrderChange> decode_order_event(const MarketCatalog& catalog, std::string_view text,
                                              std::string& error);

}  // namespace xtrader
