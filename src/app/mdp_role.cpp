#include <spdlog/spdlog.h>

#include <optional>

#include "xtrader/api/market_statistics_publisher.hpp"
#include "xtrader/api/system_routes.hpp"
#include "xtrader/app/roles.hpp"
#include "xtrader/consumers/market_data_sink.hpp"

namespace xtrader::app {

int run_mdp(const Config& config) {
    const auto& p = config.pipelines;
    if (p.kafka.producer.brokers.empty() || p.redis.empty()) {
        throw ConfigError("--role mdp needs --kafka and --redis (its cache)");
    }
    MarketData market_data(config.catalog);
    MarketDataCache cache(config.catalog, p.redis_endpoint(), p.market_data_cache);
    // A partition that neither the cache nor the topic holds from its beginning is rebuilt from
    // PostgreSQL's executions, when configured.
    std::optional<PostgresStore> executions;
    if (!p.postgres.empty()) executions.emplace(config.catalog, p.postgres);
    MarketDataSink sink(config.catalog, market_data, &cache, executions ? &*executions : nullptr);
    // With RabbitMQ, tickers and candles for the WebSocket gateways.
    std::optional<api::MarketStatisticsPublisher> statistics;
    if (p.rabbitmq) {
        statistics.emplace(config.catalog, *p.rabbitmq, p.rabbitmq_publisher.exchange,
                           p.probe_interval);
        sink.set_batch_listener(&*statistics);
        statistics->start();
    }
    // The cache is read when the group assigns partitions (MarketDataSink::on_assigned).
    TopicConsumer member(p.mdp_consumer_options(), sink);
    member.start();
    spdlog::info("mdp: a member of {} on {}, its cache {}:* in Redis {}", p.mdp_group,
                 p.kafka.market_data.name, p.market_data_cache, p.redis);
    serve_status_until_stopped(
        config, api::member_status_pages("mdp", nullptr, [&member] { return member.figures(); }));
    member.stop();
    if (statistics) statistics->stop();
    const auto figures = member.figures();
    spdlog::info("mdp: stopped; {} applied, {} duplicates dropped", figures.applied,
                 figures.duplicates);
    return 0;
}

}  // namespace xtrader::app
