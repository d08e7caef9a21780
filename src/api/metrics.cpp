#include "xtrader/api/metrics.hpp"

#include <cstdio>

namespace xtrader::api {

std::string_view to_string(Route route) noexcept {
    switch (route) {
        case Route::SubmitOrder: return "submit_order";
        case Route::CancelOrder: return "cancel_order";
        case Route::AmendOrder: return "amend_order";
        case Route::CancelAll: return "cancel_all";
        case Route::GetOrder: return "get_order";
        case Route::ListOrders: return "list_orders";
        case Route::Executions: return "executions";
        case Route::Balances: return "balances";
        case Route::Deposit: return "deposit";
        case Route::AdminAccounts: return "admin_accounts";
        case Route::AdminKeys: return "admin_keys";
        case Route::AdminAlerts: return "admin_alerts";
        case Route::AdminReports: return "admin_reports";
        case Route::AdminMarkets: return "admin_markets";
        case Route::Markets: return "markets";
        case Route::OrderBook: return "orderbook";
        case Route::PublicTrades: return "public_trades";
        case Route::Statistics: return "statistics";
        case Route::Klines: return "klines";
        case Route::Pipelines: return "pipelines";
        case Route::Health: return "health";
        case Route::Ready: return "ready";
        case Route::Metrics: return "metrics";
        case Route::Static: return "static";
        case Route::NotFound: return "not_found";
        case Route::kCount: break;
    }
    return "unknown";
}

std::string_view to_string(EdgeEvent event) noexcept {
    switch (event) {
        case EdgeEvent::HttpException: return "http_exception";
        case EdgeEvent::WsException: return "ws_exception";
        case EdgeEvent::HttpMalformed: return "http_malformed";
        case EdgeEvent::ConnectionRefused: return "connection_refused";
        case EdgeEvent::AcceptBackoff: return "accept_backoff";
        case EdgeEvent::AuthThrottled: return "auth_throttled";
        case EdgeEvent::WsSlowClosed: return "ws_slow_closed";
        case EdgeEvent::kCount: break;
    }
    return "unknown";
}

void RequestMetrics::record(Route route, unsigned status, std::int64_t nanos) noexcept {
    auto& figures = routes_[static_cast<std::size_t>(route)];
    for (std::size_t i = 0; i < kStatuses.size(); ++i) {
        if (kStatuses[i] == status) {
            figures.by_status[i].fetch_add(1, std::memory_order_relaxed);
            break;
        }
    }
    const double seconds = static_cast<double>(nanos) / 1e9;
    std::size_t bucket = 0;
    while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
    figures.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    figures.nanos.fetch_add(static_cast<std::uint64_t>(nanos), std::memory_order_relaxed);
}

std::string RequestMetrics::render(const Sequencer& sequencer) const {
    std::string out;
    char line[256];
    out += "# HELP xtrader_http_requests_total HTTP requests by route and status.\n";
    out += "# TYPE xtrader_http_requests_total counter\n";
    for (std::size_t r = 0; r < kRoutes; ++r) {
        const auto name = to_string(static_cast<Route>(r));
        for (std::size_t s = 0; s < kStatuses.size(); ++s) {
            const auto count = routes_[r].by_status[s].load(std::memory_order_relaxed);
            if (count == 0) continue;
            std::snprintf(line, sizeof line,
                          "xtrader_http_requests_total{route=\"%.*s\",status=\"%u\"} %llu\n",
                          static_cast<int>(name.size()), name.data(), kStatuses[s],
                          static_cast<unsigned long long>(count));
            out += line;
        }
    }
    out += "# HELP xtrader_http_request_duration_seconds HTTP request latency by route.\n";
    out += "# TYPE xtrader_http_request_duration_seconds histogram\n";
    for (std::size_t r = 0; r < kRoutes; ++r) {
        const auto name = to_string(static_cast<Route>(r));
        std::uint64_t cumulative = 0;
        for (std::size_t b = 0; b <= kBuckets.size(); ++b) {
            cumulative += routes_[r].buckets[b].load(std::memory_order_relaxed);
            if (b < kBuckets.size()) {
                std::snprintf(line, sizeof line,
                              "xtrader_http_request_duration_seconds_bucket{route=\"%.*s\","
                              "le=\"%g\"} %llu\n",
                              static_cast<int>(name.size()), name.data(), kBuckets[b],
                              static_cast<unsigned long long>(cumulative));
            } else {
                std::snprintf(line, sizeof line,
                              "xtrader_http_request_duration_seconds_bucket{route=\"%.*s\","
                              "le=\"+Inf\"} %llu\n",
                              static_cast<int>(name.size()), name.data(),
                              static_cast<unsigned long long>(cumulative));
            }
            out += line;
        }
        std::snprintf(line, sizeof line,
                      "xtrader_http_request_duration_seconds_sum{route=\"%.*s\"} %.9f\n"
                      "xtrader_http_request_duration_seconds_count{route=\"%.*s\"} %llu\n",
                      static_cast<int>(name.size()), name.data(),
                      static_cast<double>(routes_[r].nanos.load(std::memory_order_relaxed)) / 1e9,
                      static_cast<int>(name.size()), name.data(),
                      static_cast<unsigned long long>(cumulative));
        out += line;
    }
    out += "# HELP xtrader_edge_events_total Events at the network edge (see EdgeEvent).\n";
    out += "# TYPE xtrader_edge_events_total counter\n";
    for (std::size_t e = 0; e < edge_.size(); ++e) {
        const auto name = to_string(static_cast<EdgeEvent>(e));
        std::snprintf(line, sizeof line, "xtrader_edge_events_total{event=\"%.*s\"} %llu\n",
                      static_cast<int>(name.size()), name.data(),
                      static_cast<unsigned long long>(edge_[e].load(std::memory_order_relaxed)));
        out += line;
    }
    const auto& stats = sequencer.stats();
    const auto batches = stats.batches.load(std::memory_order_relaxed);
    const auto syncs = stats.syncs.load(std::memory_order_relaxed);
    std::snprintf(
        line, sizeof line,
        "# TYPE xtrader_sequencer_queue_depth gauge\nxtrader_sequencer_queue_depth %zu\n"
        "# TYPE xtrader_sequencer_queue_capacity gauge\nxtrader_sequencer_queue_capacity %zu\n",
        sequencer.queue_depth(), sequencer.queue_capacity());
    out += line;
    std::snprintf(line, sizeof line,
                  "# TYPE xtrader_sequencer_commands_total counter\n"
                  "xtrader_sequencer_commands_total %llu\n"
                  "# TYPE xtrader_sequencer_batches_total counter\n"
                  "xtrader_sequencer_batches_total %llu\n",
                  static_cast<unsigned long long>(stats.commands.load(std::memory_order_relaxed)),
                  static_cast<unsigned long long>(batches));
    out += line;
    std::snprintf(line, sizeof line,
                  "# HELP xtrader_journal_fsync_seconds Time spent in fdatasync.\n"
                  "# TYPE xtrader_journal_fsync_seconds summary\n"
                  "xtrader_journal_fsync_seconds_sum %.9f\nxtrader_journal_fsync_seconds_count "
                  "%llu\n",
                  static_cast<double>(stats.sync_nanos.load(std::memory_order_relaxed)) / 1e9,
                  static_cast<unsigned long long>(syncs));
    out += line;
    std::snprintf(line, sizeof line,
                  "# TYPE xtrader_journal_errors_total counter\nxtrader_journal_errors_total "
                  "%llu\n# TYPE xtrader_snapshots_total counter\nxtrader_snapshots_total %llu\n"
                  "# TYPE xtrader_committed_sequence gauge\nxtrader_committed_sequence %llu\n",
                  static_cast<unsigned long long>(stats.journal_errors.load()),
                  static_cast<unsigned long long>(stats.snapshots.load()),
                  static_cast<unsigned long long>(sequencer.committed_sequence()));
    out += line;
    return out;
}

}  // namespace xtrader::api
