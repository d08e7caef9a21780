#include "xtrader/api/surveillance_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <charconv>
#include <chrono>
#include <limits>

#include "xtrader/consumers/alert_codec.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

// YYYY-MM-DD as the UTC day's first millisecond since the epoch: any calendar day from
// 0001-01-01 to 9999-12-31.
std::optional<std::int64_t> parse_date(std::string_view text) {
    unsigned y = 0, m = 0, d = 0;
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    const auto digits = [&](std::size_t at, std::size_t n, unsigned& out) {
        const auto [end, ec] = std::from_chars(text.data() + at, text.data() + at + n, out);
        return ec == std::errc{} && end == text.data() + at + n;
    };
    if (!digits(0, 4, y) || !digits(5, 2, m) || !digits(8, 2, d)) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(y)),
                                           std::chrono::month(m), std::chrono::day(d)};
    if (!date.ok() || y == 0) return std::nullopt;
    const auto days = std::chrono::sys_days(date).time_since_epoch().count();
    return static_cast<std::int64_t>(days) * 86'400'000;
}

// The notional in quote units, held at the largest amount rather than wrapped.
Amount notional(const MarketSpec& m, Amount price_quantity) {
    const Int128 n = static_cast<Int128>(price_quantity) * m.quote_multiplier;
    return n > std::numeric_limits<Amount>::max() ? std::numeric_limits<Amount>::max()
                                                  : static_cast<Amount>(n);
}

}  // namespace

SurveillanceRoutes::SurveillanceRoutes(const MarketCatalog& catalog, AlertStore& alerts,
                                       TradeStore& trades, AccessControl& access,
                                       boost::asio::thread_pool& store_reads)
    : catalog_(catalog),
      alerts_(alerts),
      trades_(trades),
      access_(access),
      store_reads_(store_reads) {}

void SurveillanceRoutes::alerts(const RestCallPtr& call) {
    if (!access_.admin(*call)) return;
    AlertQuery query;
    if (!query_market(*call, catalog_, query.market)) return;
    if (const auto* kind = call->target().param("kind")) {
        query.kind = surveillance::parse_alert_kind(*kind);
        if (!query.kind) {
            return call->fail(400, "invalid_kind",
                              "kind must be large_trade, whale, whale_order, wash_trade, "
                              "wash_ring or spoofing");
        }
    }
    constexpr std::int64_t kMaxMillis = INT64_MAX / kNanosPerMilli;
    std::optional<std::int64_t> account, since, limit;
    if (!query_number(*call, "account", 1, std::numeric_limits<AccountId>::max(), account) ||
        !query_number(*call, "since", 0, kMaxMillis, since) ||
        !query_number(*call, "limit", 1, 1000, limit)) {
        return;
    }
    if (account) query.account = static_cast<AccountId>(*account);
    if (since) query.since = *since * kNanosPerMilli;
    if (limit) query.limit = static_cast<std::size_t>(*limit);
    boost::asio::post(store_reads_, [call, query, catalog = &catalog_, store = &alerts_] {
        std::vector<surveillance::Alert> rows;
        try {
            rows = store->alerts(query);
        } catch (const std::exception& e) {
            spdlog::warn("GET /v1/admin/alerts: {}", e.what());
            return call->fail(503, "alerts_unavailable",
                              "the alerts are unavailable for the moment; retry shortly", "1");
        }
        std::string body = "{\"alerts\":[";
        for (const auto& alert : rows) {
            if (&alert != rows.data()) body += ',';
            encode_alert(*catalog, alert, body);
        }
        body += "]}";
        call->reply(200, std::move(body));
    });
}

void SurveillanceRoutes::daily_report(const RestCallPtr& call) {
    if (!access_.admin(*call)) return;
    const auto* date_text = call->target().param("date");
    const auto from = date_text != nullptr ? parse_date(*date_text) : std::nullopt;
    if (!from) return call->fail(400, "invalid_date", "date must be a day as YYYY-MM-DD");
    const auto accept = call->request()[http::field::accept];
    const bool csv = accept.find("text/csv") != std::string_view::npos;
    boost::asio::post(store_reads_, [call, csv, from = *from, date = *date_text,
                                     catalog = &catalog_, trades = &trades_] {
        // A day before the epoch or past the last one a Timestamp holds (2262) saw no trading.
        constexpr std::int64_t kDayMillis = 86'400'000;
        const bool tradable = from >= 0 && from < INT64_MAX / kNanosPerMilli - kDayMillis;
        std::vector<DailyActivity> rows;
        try {
            if (tradable) {
                rows =
                    trades->activity(from * kNanosPerMilli, (from + kDayMillis) * kNanosPerMilli);
            }
        } catch (const std::exception& e) {
            spdlog::warn("GET /v1/admin/reports/daily: {}", e.what());
            return call->fail(503, "report_unavailable",
                              "the report is unavailable for the moment; retry shortly", "1");
        }
        std::string body;
        if (csv) {
            body =
                "date,account_id,symbol,trades,volume,notional,fees,fee_asset,orders_placed,"
                "orders_cancelled\r\n";
            for (const auto& r : rows) {
                const auto& m = catalog->markets[r.market];
                const auto& quote = catalog->assets[m.quote];
                body += fmt::format("{},{},{},{},{},{},{},{},{},{}\r\n", date, r.account, m.symbol,
                                    r.trades, format_decimal(r.volume, m.qty_scale),
                                    format_decimal(notional(m, r.notional), quote.scale),
                                    format_decimal(r.fees, quote.scale), quote.name,
                                    r.orders_placed, r.orders_cancelled);
            }
            return call->reply(200, std::move(body), "text/csv; charset=utf-8");
        }
        JsonWriter json(body);
        json.begin_object().key("date").string(date);
        json.key("from").number(from);
        json.key("rows").begin_array();
        for (const auto& r : rows) {
            const auto& m = catalog->markets[r.market];
            const auto& quote = catalog->assets[m.quote];
            json.begin_object();
            json.key("account_id").number(r.account);
            json.key("symbol").string(m.symbol);
            json.key("trades").number(r.trades);
            json.key("volume").decimal(r.volume, m.qty_scale);
            json.key("notional").decimal(notional(m, r.notional), quote.scale);
            json.key("fees").decimal(r.fees, quote.scale);
            json.key("fee_asset").string(quote.name);
            json.key("orders_placed").number(r.orders_placed);
            json.key("orders_cancelled").number(r.orders_cancelled);
            json.end_object();
        }
        json.end_array().end_object();
        call->reply(200, std::move(body));
    });
}

}  // namespace xtrader::api
