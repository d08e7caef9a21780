#include "xtrader/api/messages.hpp"

namespace xtrader::api {

HttpRefusal http_refusal(RejectReason reason) noexcept {
    switch (reason) {
        case RejectReason::InsufficientBalance: return {402, "insufficient_balance"};
        case RejectReason::UnknownOrder: return {404, "order_not_found"};
        case RejectReason::NotOwner: return {403, "forbidden"};
        case RejectReason::OrderClosed: return {409, "order_closed"};
        default: return {400, to_string(reason)};
    }
}

// One order in API.md's shape; executions only when given (POST /v1/order).
void write_order(JsonWriter& json, const MarketSpec& m, const OrderRecord& o,
                 const std::vector<const Trade*>* executions, const AssetSpec& quote) {
    json.begin_object();
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
    if (o.type == OrderType::Market) {
        json.null();
    } else {
        json.decimal(o.price, m.price_scale);
    }
    json.key("quantity").decimal(o.quantity, m.qty_scale);
    json.key("filled_quantity").decimal(o.filled, m.qty_scale);
    json.key("remaining_quantity").decimal(o.remaining(), m.qty_scale);
    json.key("average_price");
    if (o.filled == 0) {
        json.null();
    } else {
        json.decimal(o.average_price(), m.price_scale);
    }
    if (executions != nullptr) {
        json.key("executions").begin_array();
        for (const Trade* t : *executions) {
            json.begin_object();
            json.key("exec_id").string(std::to_string(t->exec_id));
            json.key("price").decimal(t->price, m.price_scale);
            json.key("quantity").decimal(t->quantity, m.qty_scale);
            json.key("fee").decimal(t->taker_fee, quote.scale);
            json.key("fee_asset").string(quote.name);
            json.key("is_maker").boolean(false);
            json.key("transaction_time").number(millis(o.updated));
            json.end_object();
        }
        json.end_array();
    }
    json.key("sequence").number(o.sequence);
    json.key("timestamp").number(millis(o.updated));
    json.key("created_time").number(millis(o.created));
    json.end_object();
}

void write_statistics(JsonWriter& json, const MarketSpec& m, const MarketStatistics& s) {
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
    json.key("open_time").number(millis(k.open_time));
    json.key("close_time").number(millis(k.close_time));
    json.key("open").decimal(k.open, m.price_scale);
    json.key("high").decimal(k.high, m.price_scale);
    json.key("low").decimal(k.low, m.price_scale);
    json.key("close").decimal(k.close, m.price_scale);
    json.key("volume").decimal(k.volume, m.qty_scale);
    json.key("trade_count").number(k.trade_count);
    json.end_object();
}

void write_book(JsonWriter& json, const MarketSpec& m, const BookView& book) {
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
