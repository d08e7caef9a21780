#include "xtrader/api/ws_feed.hpp"

#include "xtrader/api/encoders.hpp"
#include "xtrader/consumers/alert_codec.hpp"

namespace xtrader::api {

std::string orders_channel(AccountId account) {
    return "orders:" + std::to_string(account);
}

std::string book_snapshot_message(const MarketSpec& market, std::string_view channel,
                                  const BookView& book) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("type").string("OrderBookSnapshot").key("channel").string(channel);
    json.key("symbol").string(market.symbol);
    write_book_fields(json, market, book);
    json.end_object();
    return out;
}

std::string ticker_message(const MarketSpec& market, std::string_view channel,
                           const MarketStatistics& statistics, Sequence sequence, Timestamp time) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("type").string("MarketStatistics").key("channel").string(channel);
    json.key("symbol").string(market.symbol);
    write_statistics_fields(json, market, statistics);
    json.key("sequence").number(sequence).key("timestamp").number(to_millis(time)).end_object();
    return out;
}

std::string candle_message(const MarketSpec& market, std::string_view channel,
                           std::string_view interval, const Candle& candle, Sequence sequence) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("type").string("CandlestickUpdate").key("channel").string(channel);
    json.key("symbol").string(market.symbol).key("interval").string(interval).key("candle");
    write_candle(json, market, candle);
    json.key("sequence").number(sequence).end_object();
    return out;
}

WsFeed::WsFeed(const MarketCatalog& catalog, const MarketData& market_data, WsHub& hub,
               bool statistics)
    : catalog_(catalog), market_data_(market_data), hub_(hub), statistics_(statistics) {
    for (const auto& m : catalog_.markets) {
        Channels c{"executions:" + m.symbol, "orderbook:" + m.symbol, "ticker:" + m.symbol, {}};
        for (const auto& s : kIntervals) {
            c.candles[static_cast<std::size_t>(s.interval)] =
                "candles:" + m.symbol + ":" + std::string(s.name);
        }
        channels_.push_back(std::move(c));
    }
}

void WsFeed::on_market_update(MarketId market, Sequence sequence, Timestamp time,
                              std::span<const PublicTrade> trades, std::span<const BookDelta> book,
                              std::uint64_t book_version) {
    const auto& m = catalog_.markets[market];
    const Channels& names = channels_[market];
    const std::string& executions = names.executions;
    if (!trades.empty() && hub_.has_subscribers(executions)) {
        for (const auto& t : trades) {
            std::string out;
            JsonWriter json(out);
            json.begin_object().key("type").string("Execution").key("channel").string(executions);
            json.key("symbol").string(m.symbol);
            write_public_trade_fields(json, m, t);
            json.end_object();
            hub_.publish(executions, make_message(std::move(out)));
        }
    }
    const std::string& orderbook = names.orderbook;
    if (!book.empty() && hub_.has_subscribers(orderbook)) {
        std::string out;
        JsonWriter json(out);
        json.begin_object().key("type").string("OrderBookDelta").key("channel").string(orderbook);
        json.key("symbol").string(m.symbol).key("sequence").number(sequence);
        json.key("version").number(book_version).key("changes").begin_array();
        for (const auto& d : book) {
            json.begin_object().key("side").string(to_string(d.side));
            json.key("price").decimal(d.price, m.price_scale);
            json.key("volume").decimal(d.volume, m.qty_scale);
            json.key("order_count").number(d.order_count).end_object();
        }
        json.end_array().end_object();
        hub_.publish(orderbook, make_message(std::move(out)));
    }
    if (trades.empty() || !statistics_) return;
    const std::string& ticker = names.ticker;
    if (hub_.has_subscribers(ticker)) {
        hub_.publish(ticker,
                     make_message(ticker_message(m, ticker, market_data_.statistics(market, time),
                                                 sequence, time)));
    }
    for (const auto& s : kIntervals) {
        const std::string& channel = names.candles[static_cast<std::size_t>(s.interval)];
        if (!hub_.has_subscribers(channel)) continue;
        const auto candle = market_data_.candle_at(market, s.interval, time);
        if (!candle) continue;
        hub_.publish(channel, make_message(candle_message(m, channel, s.name, *candle, sequence)));
    }
}

void WsFeed::on_relay(const std::string& channel, std::string message) {
    if (hub_.has_subscribers(channel)) hub_.publish(channel, make_message(std::move(message)));
}

void WsFeed::on_order(const OrderRecord& order) {
    const std::string channel = orders_channel(order.account);
    if (!hub_.has_subscribers(channel)) return;
    const auto& m = catalog_.markets[order.market];
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("type").string("OrderUpdate").key("channel").string("orders");
    write_order_fields(json, m, catalog_.assets[m.quote], order);
    json.end_object();
    hub_.publish(channel, make_message(std::move(out)));
}

void WsFeed::on_alert(const surveillance::Alert& alert) {
    const std::string channel(kAlertsChannel);
    if (!hub_.has_subscribers(channel)) return;
    std::string out = R"({"type":"Alert","channel":"alerts","alert":)";
    encode_alert(catalog_, alert, out);
    out += '}';
    hub_.publish(channel, make_message(std::move(out)));
}

void WsFeed::on_book_resync(MarketId market) {
    const std::string& channel = channels_[market].orderbook;
    if (!hub_.has_subscribers(channel)) return;
    hub_.publish(channel,
                 make_message(book_snapshot_message(catalog_.markets[market], channel,
                                                    market_data_.book(market, kSnapshotDepth))));
}

}  // namespace xtrader::api
