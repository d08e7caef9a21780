#include "xtrader/api/market_statistics_publisher.hpp"

#include <spdlog/spdlog.h>

#include "xtrader/api/ws_feed.hpp"
#include "xtrader/core/thread_name.hpp"

namespace xtrader::api {

MarketStatisticsPublisher::MarketStatisticsPublisher(const MarketCatalog& catalog,
                                                     RabbitMqEndpoint endpoint,
                                                     std::string exchange,
                                                     std::chrono::milliseconds probe_interval)
    : catalog_(catalog),
      // Last values: a few per market wait at most, so a small window is plenty.
      exchange_(std::move(endpoint), std::move(exchange), 256),
      probe_interval_(probe_interval) {}

MarketStatisticsPublisher::~MarketStatisticsPublisher() {
    stop();
}

void MarketStatisticsPublisher::start() {
    thread_ = std::thread([this] {
        name_this_thread("statistics");
        run();
    });
}

void MarketStatisticsPublisher::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void MarketStatisticsPublisher::on_batch(const MarketData& data,
                                         const std::vector<MarketChanges>& changes) {
    std::map<std::string, std::string> messages;
    for (const auto& c : changes) {
        if (c.trades.empty()) continue;
        const auto& m = catalog_.markets[c.market];
        const PublicTrade& last = c.trades.back();
        messages["ticker." + m.symbol] =
            ticker_message(m, "ticker:" + m.symbol, data.statistics(c.market, last.time),
                           last.sequence, last.time);
        for (const auto& s : kIntervals) {
            const auto candle = data.candle_at(c.market, s.interval, last.time);
            if (!candle) continue;
            const std::string interval(s.name);
            messages["candle." + m.symbol + "." + interval] = candle_message(
                m, "candles:" + m.symbol + ":" + interval, interval, *candle, last.sequence);
        }
    }
    if (messages.empty()) return;
    {
        std::lock_guard lock(mutex_);
        for (auto& [key, message] : messages) latest_[key] = std::move(message);
    }
    wake_.notify_one();
}

void MarketStatisticsPublisher::run() {
    bool failing = false;
    for (;;) {
        std::map<std::string, std::string> batch;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return stopping_ || !latest_.empty(); });
            if (stopping_) return;
            batch.swap(latest_);
        }
        try {
            for (const auto& [key, message] : batch) {
                exchange_.publish(key, message, RabbitMqDelivery::Transient);
            }
            exchange_.wait_confirms();
            published_.fetch_add(batch.size(), std::memory_order_relaxed);
            if (std::exchange(failing, false)) spdlog::info("mdp: RabbitMQ answers again");
        } catch (const RabbitMqError& e) {
            if (!std::exchange(failing, true)) {
                spdlog::warn("mdp: tickers and candles wait for RabbitMQ: {}", e.what());
            }
            std::unique_lock lock(mutex_);
            // What is newer stays; what failed goes again with it.
            for (auto& [key, message] : batch) latest_.try_emplace(key, std::move(message));
            wake_.wait_for(lock, probe_interval_, [this] { return stopping_; });
        }
    }
}

}  // namespace xtrader::api
