#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "xtrader/app/roles.hpp"

namespace xtrader::app {

int run_persister(const Config& config) {
    const auto& p = config.pipelines;
    if (p.redis.empty() || p.postgres.empty() || p.consumer_name.empty()) {
        throw ConfigError("--role persister needs --redis, --postgres and --consumer-name");
    }
    boost::asio::io_context io;
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([](const boost::system::error_code&, int) {});
    ExecutionPersister persister(config.catalog, p.persister_options(), {p.consumer_name});
    persister.start();
    spdlog::info("persister {}: reading {} in group {}", p.consumer_name, p.persister.stream,
                 p.persister.group);
    io.run();  // until a signal
    persister.stop();
    spdlog::info("persister {}: stopped; {} stored, {} acknowledged", p.consumer_name,
                 persister.stored(), persister.acknowledged());
    return 0;
}

}  // namespace xtrader::app
