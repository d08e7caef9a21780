#include <spdlog/spdlog.h>

#include "xtrader/api/system_routes.hpp"
#include "xtrader/app/roles.hpp"
#include "xtrader/consumers/market_data_sink.hpp"

namespace xtrader::app {

namespace {

// exchange-sync: our prices from the market-data topic (a group member of its own), the
// venues polled beside.
void run_exchange_sync(const Config& config) {
    const auto& p = config.pipelines;
    MarketData ours(config.catalog);
    MarketDataSink sink(config.catalog, ours, nullptr, nullptr);
    TopicConsumer member(p.surveillance_consumer_options(SurveillanceGroup::ExchangeSync), sink);
    PostgresStore alerts(config.catalog, p.postgres);
    ExchangeSync sync(
        config.catalog, config.exchange_sync, ours, alerts,
        std::make_unique<KafkaTopicSink>(p.kafka.producer, p.kafka.surveillance_alerts.name));
    member.start();
    sync.start();
    spdlog::info("surveillance: a member of exchange-sync, {} venues",
                 config.exchange_sync.venues.size());
    serve_status_until_stopped(config, api::member_status_pages("surveillance", nullptr, [&member] {
                                   return member.figures();
                               }));
    sync.stop();
    member.stop();
}

}  // namespace

int run_surveillance(const Config& config) {
    const auto& p = config.pipelines;
    if (p.kafka.producer.brokers.empty() || p.postgres.empty()) {
        throw ConfigError("--role surveillance needs --kafka and --postgres (its alerts)");
    }
    const SurveillanceGroup group = p.surveillance_group;
    if (group == SurveillanceGroup::ExchangeSync) {
        run_exchange_sync(config);
        return 0;
    }
    SurveillanceMember member(config.catalog, config.surveillance,
                              surveillance_member(config, group));
    member.start();
    spdlog::info("surveillance: a member of {}", to_string(group));
    serve_status_until_stopped(config, api::member_status_pages("surveillance", nullptr, [&member] {
                                   return member.figures();
                               }));
    member.stop();
    const auto figures = member.figures();
    spdlog::info("surveillance: stopped; {} messages applied, {} alerts", figures.applied,
                 member.alerts());
    return 0;
}

}  // namespace xtrader::app
