#include "xtrader/api/surveillance_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <limits>

#include "xtrader/consumers/alert_codec.hpp"

namespace xtrader::api {

SurveillanceRoutes::SurveillanceRoutes(const MarketCatalog& catalog, AlertStore& alerts,
                                       AccessControl& access, boost::asio::thread_pool& store_reads)
    : catalog_(catalog), alerts_(alerts), access_(access), store_reads_(store_reads) {}

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

}  // namespace xtrader::api
