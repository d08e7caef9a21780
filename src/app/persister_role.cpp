#include <spdlog/spdlog.h>

#include "xtrader/app/roles.hpp"

namespace xtrader::app {

int run_persister(const Config& config) {
    const auto& p = config.pipelines;
    if (p.redis.empty() || p.postgres.empty() || p.consumer_name.empty()) {
        throw ConfigError("--role persister needs --redis, --postgres and --consumer-name");
    }
    ExecutionPersister persister(config.catalog, p.persister_options(), {p.consumer_name});
    persister.start();
    spdlog::info("persister {}: reading {} in group {}", p.consumer_name, p.persister.stream,
                 p.persister.group);
    wait_for_stop_signal();
    persister.stop();
    spdlog::info("persister {}: stopped; {} stored, {} acknowledged", p.consumer_name,
                 persister.stored(), persister.acknowledged());
    return 0;
}

}  // namespace xtrader::app
