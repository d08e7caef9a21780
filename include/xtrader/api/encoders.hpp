// API.md's JSON shapes, each written in one place and shared by the REST answers and the
// WebSocket messages. The *_fields functions write into an object the caller has opened, so that
// a WebSocket message can put its "type" and "channel" first. Pure: no I/O, no clock.
#pragma once

#include <vector>

#include "xtrader/consumers/market_data.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/json/writer.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader::api {

// One order; with its fills as "executions" when given (the answer to POST /v1/order).
void write_order_fields(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                        const OrderRecord& o, const std::vector<ExecutionRecord>* fills = nullptr);
void write_order(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                 const OrderRecord& o, const std::vector<ExecutionRecord>* fills = nullptr);

// One execution of the caller's own (an object). Inside an order's answer the order's own
// fields (order_id, symbol, side) and the sequence are left out.
enum class ExecutionScope : std::uint8_t { Standalone, WithinOrder };
void write_own_execution(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                         const ExecutionRecord& e, ExecutionScope scope);

// A public trade: GET /api/v1/executions/{symbol} and the executions channel.
void write_public_trade_fields(JsonWriter& json, const MarketSpec& m, const PublicTrade& t);
// The 24 h statistics.
void write_statistics_fields(JsonWriter& json, const MarketSpec& m, const MarketStatistics& s);
// One candle (an object).
void write_candle(JsonWriter& json, const MarketSpec& m, const Candle& k);
// "bids", "asks", "sequence", "version".
void write_book_fields(JsonWriter& json, const MarketSpec& m, const BookView& book);

}  // namespace xtrader::api
