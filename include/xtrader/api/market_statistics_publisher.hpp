// The MDP's announcements to the WebSocket gateways: after each batch it applied, every market
// that traded gets its ticker (routing key ticker.<SYMBOL>) and its running candle of every
// interval (candle.<SYMBOL>.<INTERVAL>) on the RabbitMQ exchange, as the WebSocket messages of
// those channels, which the gateways relay as they are.
//
// These are last values: a newer one supersedes an older one of the same key, so only the
// latest of each waits to be published, on a thread of its own (the MDP never waits for
// RabbitMQ). While the broker is away nothing is lost that matters: the latest values go out
// once it answers again, each a superset of what came before.
//
// Threads: on_batch() on the sink's thread; publishing on its own.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "xtrader/bus/rabbitmq_connection.hpp"
#include "xtrader/consumers/market_data_sink.hpp"

namespace xtrader::api {

class MarketStatisticsPublisher final : public MarketDataBatchListener {
  public:
    MarketStatisticsPublisher(const MarketCatalog& catalog, RabbitMqEndpoint endpoint,
                              std::string exchange, std::chrono::milliseconds probe_interval);
    ~MarketStatisticsPublisher() override;

    void start();
    void stop();

    void on_batch(const MarketData& data, const std::vector<MarketChanges>& changes) override;
    std::uint64_t published() const noexcept { return published_.load(std::memory_order_relaxed); }

  private:
    void run();

    const MarketCatalog& catalog_;
    RabbitMqExchange exchange_;
    std::chrono::milliseconds probe_interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::map<std::string, std::string> latest_;  // routing key -> message, under mutex_
    bool stopping_ = false;                      // under mutex_
    std::atomic<std::uint64_t> published_{0};
    std::thread thread_;
};

}  // namespace xtrader::api
