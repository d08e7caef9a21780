// The exchange-sync group: other venues' public tickers polled over HTTP, compared with our own
// prices by the VenueDetector (surveillance/detectors.hpp). A thread of its own polls each venue
// every poll interval, reads our last price and touch from a MarketData (the exchange's own, or
// in a --role surveillance --group exchange-sync process one fed by the Kafka group), and stores
// and publishes what the detector raises. With no venue configured it idles and says so.
//
// A venue that answers an error status, times out, or sends what its adapter cannot read is a
// logged and counted error; the others go on, and so does that one at its next poll.
//
// Threads: start() / stop() from one thread; figures() from any.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "xtrader/bus/keyed_sink.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/surveillance_monitor.hpp"
#include "xtrader/store/alert_store.hpp"
#include "xtrader/surveillance/detectors.hpp"

namespace xtrader {

// The public ticker formats the adapters read.
enum class VenueKind : std::uint8_t {
    Upbit,    // GET /v1/ticker?markets=KRW-BTC,...: [{"market":"KRW-BTC","trade_price":...}]
    Binance,  // GET /api/v3/ticker/bookTicker?symbol=BTCUSDT: {"symbol","bidPrice","askPrice"}
    Generic,  // GET <url>: [{"symbol":...,"last":...,"bid":...,"ask":...}] (any of the three)
};
std::optional<VenueKind> parse_venue_kind(std::string_view text) noexcept;

struct VenueConfig {
    std::string name;
    VenueKind kind = VenueKind::Generic;
    std::string url;  // http://host[:port][/base]
    std::uint32_t fee_ppm = 0;
    std::vector<std::pair<MarketId, std::string>> symbols;  // our market, the venue's symbol
};

// The request targets (path and query) of one poll of a venue.
std::vector<std::string> ticker_targets(const VenueConfig& venue, std::string_view base_path);
// A ticker answer's prices, in our markets' units (rounded to the price scale); appends to
// `out`. False, with `error` saying why, when the body is not what the venue's format says.
bool parse_tickers(const MarketCatalog& catalog, const VenueConfig& venue, std::uint32_t index,
                   std::string_view body, Timestamp time,
                   std::vector<surveillance::ReferencePrice>& out, std::string& error);

struct VenueFigures {
    std::string name;
    std::uint64_t polls = 0;
    std::uint64_t errors = 0;
    std::string last_error;  // empty when the last poll went through
    std::vector<std::pair<std::string, std::int64_t>> deviation_bps;  // by symbol, where known
};

struct ExchangeSyncOptions {
    std::vector<VenueConfig> venues;
    std::chrono::milliseconds poll_interval{1000};
    std::chrono::milliseconds timeout{2000};  // of one request
    std::uint32_t deviation_bps = 100;
    std::chrono::milliseconds deviation_for{10'000};
};

class ExchangeSync {
  public:
    // alerts_topic: where stored alerts are produced (null: nowhere); listener: told of each.
    ExchangeSync(const MarketCatalog& catalog, ExchangeSyncOptions options, const MarketData& ours,
                 AlertStore& store, std::unique_ptr<KeyedSink> alerts_topic,
                 AlertListener listener = nullptr);
    ~ExchangeSync();
    ExchangeSync(const ExchangeSync&) = delete;
    ExchangeSync& operator=(const ExchangeSync&) = delete;

    void start();
    void stop();

    bool idle() const noexcept { return options_.venues.empty(); }
    std::vector<VenueFigures> figures() const;

  private:
    void run();
    void poll(std::size_t venue, std::vector<surveillance::Alert>& alerts);
    void keep(std::vector<surveillance::Alert>& alerts);

    const MarketCatalog& catalog_;
    ExchangeSyncOptions options_;
    const MarketData& ours_;
    AlertStore& store_;
    std::unique_ptr<KeyedSink> alerts_topic_;
    AlertListener listener_;
    surveillance::VenueDetector detector_;

    mutable std::mutex mutex_;  // figures_
    std::vector<VenueFigures> figures_;
    std::mutex wake_mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace xtrader
