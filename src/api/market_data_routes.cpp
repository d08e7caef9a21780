#include "xtrader/api/market_data_routes.hpp"

#include "xtrader/api/encoders.hpp"
#include "xtrader/core/clock.hpp"

namespace xtrader::api {

MarketDataRoutes::MarketDataRoutes(const MarketCatalog& catalog, const MarketData& market_data,
                                   const MarketStatus& status)
    : catalog_(catalog), market_data_(market_data), status_(status) {}

void MarketDataRoutes::markets(const RestCallPtr& call) {
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("markets").begin_array();
    for (const auto& m : catalog_.markets) {
        json.begin_object();
        json.key("symbol").string(m.symbol);
        json.key("base").string(catalog_.assets[m.base].name);
        json.key("quote").string(catalog_.assets[m.quote].name);
        json.key("price_decimals").number(std::int64_t{m.price_scale});
        json.key("quantity_decimals").number(std::int64_t{m.qty_scale});
        json.key("tick_size").decimal(m.tick_size, m.price_scale);
        json.key("lot_size").decimal(m.lot_size, m.qty_scale);
        json.key("min_quantity").decimal(m.min_quantity, m.qty_scale);
        json.key("max_quantity").decimal(m.max_quantity, m.qty_scale);
        json.key("max_price").decimal(m.max_price, m.price_scale);
        json.key("maker_fee").decimal(m.maker_fee_ppm, 6);
        json.key("taker_fee").decimal(m.taker_fee_ppm, 6);
        json.key("price_band");
        if (m.price_band_ppm == 0) {
            json.null();
        } else {
            json.decimal(m.price_band_ppm, 6);
        }
        json.key("status").string(status_.halted(id_of(m)) ? "halted" : "trading");
        json.end_object();
    }
    json.end_array().end_object();
    call->reply(200, std::move(body));
}

const MarketSpec* MarketDataRoutes::market_or_404(RestCall& call,
                                                  std::string_view symbol_text) const {
    const std::string symbol = url_decode(symbol_text);
    const MarketSpec* market = catalog_.find(symbol);
    if (market == nullptr) call.fail(404, "unknown_symbol", "unknown symbol \"" + symbol + "\"");
    return market;
}

void MarketDataRoutes::order_book(const RestCallPtr& call, std::string_view symbol) {
    const MarketSpec* market = market_or_404(*call, symbol);
    std::optional<std::int64_t> depth;
    if (market == nullptr || !query_number(*call, "depth", 1, 500, depth)) return;
    const auto book =
        market_data_.book(id_of(*market), static_cast<std::size_t>(depth.value_or(20)));
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    write_book_fields(json, *market, book);
    json.end_object();
    call->reply(200, std::move(body));
}

void MarketDataRoutes::trades(const RestCallPtr& call, std::string_view symbol) {
    const MarketSpec* market = market_or_404(*call, symbol);
    std::optional<std::int64_t> limit;
    if (market == nullptr ||
        !query_number(*call, "limit", 1, static_cast<std::int64_t>(MarketData::kTradesKept),
                      limit)) {
        return;
    }
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    json.key("executions").begin_array();
    for (const auto& t :
         market_data_.trades(id_of(*market), static_cast<std::size_t>(limit.value_or(100)))) {
        json.begin_object();
        write_public_trade_fields(json, *market, t);
        json.end_object();
    }
    json.end_array().end_object();
    call->reply(200, std::move(body));
}

void MarketDataRoutes::statistics(const RestCallPtr& call, std::string_view symbol) {
    const MarketSpec* market = market_or_404(*call, symbol);
    if (market == nullptr) return;
    const Timestamp now = SystemClock{}.now();
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    write_statistics_fields(json, *market, market_data_.statistics(id_of(*market), now));
    json.key("timestamp").number(to_millis(now));
    json.end_object();
    call->reply(200, std::move(body));
}

void MarketDataRoutes::klines(const RestCallPtr& call, std::string_view symbol,
                              std::string_view interval_text) {
    const MarketSpec* market = market_or_404(*call, symbol);
    if (market == nullptr) return;
    const auto interval = parse_interval(interval_text);
    if (!interval) {
        return call->fail(400, "invalid_interval",
                          "interval must be one of 1m 5m 15m 30m 1h 4h 1d 1w");
    }
    constexpr std::int64_t kMaxMillis = INT64_MAX / kNanosPerMilli;
    std::optional<std::int64_t> limit, start, end;
    if (!query_number(*call, "limit", 1, 1500, limit) ||
        !query_number(*call, "start", 0, kMaxMillis, start) ||
        !query_number(*call, "end", 0, kMaxMillis, end)) {
        return;
    }
    const auto nanos = [](std::optional<std::int64_t> ms) {
        return ms ? std::optional<Timestamp>(*ms * kNanosPerMilli) : std::nullopt;
    };
    const auto candles = market_data_.candles(id_of(*market), *interval,
                                              static_cast<std::size_t>(limit.value_or(500)),
                                              nanos(start), nanos(end));
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    json.key("interval").string(spec(*interval).name);
    json.key("candles").begin_array();
    for (const auto& k : candles) write_candle(json, *market, k);
    json.end_array().end_object();
    call->reply(200, std::move(body));
}

}  // namespace xtrader::api
