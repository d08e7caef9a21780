#include <spdlog/spdlog.h>

#include <boost/asio/ip/host_name.hpp>

#include "xtrader/api/system_routes.hpp"
#include "xtrader/app/roles.hpp"

namespace xtrader::app {

int run_persister(const Config& config) {
    const auto& p = config.pipelines;
    if (p.redis.empty() || p.postgres.empty()) {
        throw ConfigError("--role persister needs --redis and --postgres");
    }
    // Without --consumer-name, the host's name: each replica of a container service its own.
    const std::string name =
        p.consumer_name.empty() ? boost::asio::ip::host_name() : p.consumer_name;
    ExecutionPersister persister(config.catalog, p.persister_options(), {name});
    persister.start();
    spdlog::info("persister {}: reading {} in group {}", name, p.persister.stream,
                 p.persister.group);
    serve_status_until_stopped(config, api::member_status_pages("persister", &persister, {}));
    persister.stop();
    spdlog::info("persister {}: stopped; {} stored, {} acknowledged", name, persister.stored(),
                 persister.acknowledged());
    return 0;
}

}  // namespace xtrader::app
