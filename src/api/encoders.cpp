#include "xtrader/api/encoders.hpp"

namespace xtrader::api {

void write_order_fields(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                        const OrderRecord& o, const std::vector<ExecutionRecord>* fills) {
    json.key("order_id").string(std::to_string(o.id));
    json.key("client_order_id");
    if (o.client_order_id.empty()) {
        json.null();
    } else {
        json.string(o.client_order_id.view());
    }
    json.key("symbol").string(m.symbol);
    json.key("side").string(to_string(o.side));
    json.key("order_type").string(to_string(o.type));
    json.key("time_in_force").string(to_string(o.tif));
    json.key("post_only").boolean(o.post_only);
    json.key("status").string(to_string(o.status));
    if (!o.reason.empty()) json.key("reason").string(o.reason);
    json.key("price");
    if (has_limit_price(o.type)) {
        json.decimal(o.price, m.price_scale);
    } else {
        json.null();
    }
    if (is_stop(o.type)) json.key("stop_price").decimal(o.stop_price, m.price_scale);
    json.key("quantity").decimal(o.quantity, m.qty_scale);
    json.key("filled_quantity").decimal(o.filled, m.qty_scale);
    json.key("remaining_quantity").decimal(o.remaining(), m.qty_scale);
    json.key("average_price");
    if (o.filled == 0) {
        json.null();
    } else {
        json.decimal(o.average_price(), m.price_scale);
    }
    if (fills != nullptr) {
        json.key("executions").begin_array();
        for (const auto& fill : *fills) {
            write_own_execution(json, m, quote, fill, ExecutionScope::WithinOrder);
        }
        json.end_array();
    }
    json.key("sequence").number(o.sequence);
    json.key("timestamp").number(to_millis(o.updated));
    json.key("created_time").number(to_millis(o.created));
}

void write_order(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                 const OrderRecord& o, const std::vector<ExecutionRecord>* fills) {
    json.begin_object();
    write_order_fields(json, m, quote, o, fills);
    json.end_object();
}

void write_own_execution(JsonWriter& json, const MarketSpec& m, const AssetSpec& quote,
                         const ExecutionRecord& e, ExecutionScope scope) {
    const bool standalone = scope == ExecutionScope::Standalone;
    json.begin_object();
    json.key("exec_id").string(std::to_string(e.exec_id));
    if (standalone) {
        json.key("order_id").string(std::to_string(e.order_id));
        json.key("symbol").string(m.symbol);
        json.key("side").string(to_string(e.side));
    }
    json.key("price").decimal(e.price, m.price_scale);
    json.key("quantity").decimal(e.quantity, m.qty_scale);
    json.key("fee").decimal(e.fee, quote.scale);
    json.key("fee_asset").string(quote.name);
    json.key("is_maker").boolean(e.is_maker);
    json.key("transaction_time").number(to_millis(e.time));
    if (standalone) json.key("sequence").number(e.sequence);
    json.end_object();
}

void write_public_trade_fields(JsonWriter& json, const MarketSpec& m, const PublicTrade& t) {
    json.key("exec_id").string(std::to_string(t.exec_id));
    json.key("price").decimal(t.price, m.price_scale);
    json.key("quantity").decimal(t.quantity, m.qty_scale);
    json.key("side").string(to_string(t.taker_side));
    json.key("transaction_time").number(to_millis(t.time));
    json.key("sequence").number(t.sequence);
}

void write_statistics_fields(JsonWriter& json, const MarketSpec& m, const MarketStatistics& s) {
    const auto price = [&](const char* key, std::optional<Price> value) {
        json.key(key);
        if (value && *value != 0) {
            json.decimal(*value, m.price_scale);
        } else {
            json.null();
        }
    };
    price("open_price_24h", s.open);
    price("high_price_24h", s.high);
    price("low_price_24h", s.low);
    price("last_price", s.last);
    json.key("volume_24h").decimal(s.volume, m.qty_scale);
    // Percent with two decimals, from integers: (last - open) / open.
    const std::int64_t change =
        s.open == 0 ? 0 : static_cast<std::int64_t>((Int128{s.last} - s.open) * 10'000 / s.open);
    json.key("price_change_24h").decimal(change, 2);
    price("bid_price", s.bid);
    price("ask_price", s.ask);
}

void write_candle(JsonWriter& json, const MarketSpec& m, const Candle& k) {
    json.begin_object();
    json.key("open_time").number(to_millis(k.open_time));
    json.key("close_time").number(to_millis(k.close_time));
    json.key("open").decimal(k.open, m.price_scale);
    json.key("high").decimal(k.high, m.price_scale);
    json.key("low").decimal(k.low, m.price_scale);
    json.key("close").decimal(k.close, m.price_scale);
    json.key("volume").decimal(k.volume, m.qty_scale);
    json.key("trade_count").number(k.trade_count);
    json.end_object();
}

void write_book_fields(JsonWriter& json, const MarketSpec& m, const BookView& book) {
    const auto levels = [&](const std::vector<BookLevelView>& side) {
        json.begin_array();
        for (const auto& l : side) {
            json.begin_object();
            json.key("price").decimal(l.price, m.price_scale);
            json.key("volume").decimal(l.volume, m.qty_scale);
            json.key("order_count").number(l.order_count);
            json.end_object();
        }
        json.end_array();
    };
    json.key("bids");
    levels(book.bids);
    json.key("asks");
    levels(book.asks);
    json.key("sequence").number(book.sequence);
    json.key("version").number(book.version);
}

}  // namespace xtrader::api
