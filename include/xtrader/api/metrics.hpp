// Request figures for /metrics: counts and latency histograms by route and status, in fixed
// tables of relaxed atomics so that recording never takes a lock. Rendered in the Prometheus
// text format together with the sequencer's figures.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::api {

enum class Route : std::uint8_t {
    SubmitOrder,
    CancelOrder,
    AmendOrder,
    CancelAll,
    GetOrder,
    ListOrders,
    Executions,
    Balances,
    Deposit,
    AdminAccounts,
    AdminKeys,
    AdminAlerts,
    AdminReports,
    AdminMarkets,
    Markets,
    OrderBook,
    PublicTrades,
    Statistics,
    Klines,
    Pipelines,
    Health,
    Ready,
    Metrics,
    Static,
    NotFound,
    kCount
};
std::string_view to_string(Route route) noexcept;

// What happens at the network edge besides answered requests: each is a counter in /metrics
// (xtrader_edge_events_total{event=...}), so that an operator sees an attack or a bug.
enum class EdgeEvent : std::uint8_t {
    HttpException,      // a request handler threw; the client got 500
    WsException,        // a WebSocket message handler threw; the connection was closed 1011
    HttpMalformed,      // a request that is not HTTP/1.x got 400 (or 431: headers too large)
    ConnectionRefused,  // over the connection limit: answered 503 (HTTP) or closed at once
    AcceptBackoff,      // out of file descriptors: accepting paused for a moment
    AuthThrottled,      // an address with too many failed authentications got 429
    WsSlowClosed,       // a WebSocket client over its send-queue bound was closed 1008
    kCount
};
std::string_view to_string(EdgeEvent event) noexcept;

class RequestMetrics {
  public:
    void record(Route route, unsigned status, std::int64_t nanos) noexcept;
    void count(EdgeEvent event) noexcept {
        edge_[static_cast<std::size_t>(event)].fetch_add(1, std::memory_order_relaxed);
    }
    // The Prometheus exposition of these figures and the sequencer's.
    std::string render(const Sequencer& sequencer) const;

  private:
    static constexpr std::array<unsigned, 15> kStatuses = {200, 201, 400, 401, 402, 403, 404, 405,
                                                           409, 413, 415, 429, 431, 500, 503};
    // Upper bounds of the latency buckets, in seconds.
    static constexpr std::array<double, 12> kBuckets = {
        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0};
    static constexpr std::size_t kRoutes = static_cast<std::size_t>(Route::kCount);

    struct RouteFigures {
        std::array<std::atomic<std::uint64_t>, kStatuses.size()> by_status{};
        std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};
        std::atomic<std::uint64_t> nanos{0};
    };
    std::array<RouteFigures, kRoutes> routes_{};
    std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(EdgeEvent::kCount)> edge_{};
};

}  // namespace xtrader::api
