#include <spdlog/spdlog.h>

#include "xtrader/app/roles.hpp"

namespace xtrader::app {

int run_surveillance(const Config& config) {
    const auto& p = config.pipelines;
    if (p.kafka.producer.brokers.empty() || p.postgres.empty()) {
        throw ConfigError("--role surveillance needs --kafka and --postgres (its alerts)");
    }
    const SurveillanceGroup group = p.surveillance_group;
    SurveillanceMember member(config.catalog, config.surveillance,
                              surveillance_member(config, group));
    member.start();
    spdlog::info("surveillance: a member of {}", to_string(group));
    wait_for_stop_signal();
    member.stop();
    const auto figures = member.figures();
    spdlog::info("surveillance: stopped; {} messages applied, {} alerts", figures.applied,
                 member.alerts());
    return 0;
}

}  // namespace xtrader::app
