#include "xtrader/app/roles.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "xtrader/core/thread_name.hpp"

namespace xtrader::app {

void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

unsigned io_threads(const Config& config) {
    return config.io_threads != 0 ? config.io_threads
                                  : std::max(1u, std::thread::hardware_concurrency());
}

void run_io(boost::asio::io_context& io, unsigned threads, std::string_view name) {
    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) {
        pool.emplace_back([&io, name] {
            name_this_thread(name);
            io.run();
        });
    }
    name_this_thread(name);
    io.run();
    for (auto& t : pool) t.join();
}

SurveillanceMemberOptions surveillance_member(const Config& config, SurveillanceGroup group) {
    const auto& p = config.pipelines;
    SurveillanceMemberOptions member;
    member.group = group;
    member.consumer = p.surveillance_consumer_options(group);
    member.market_data_topic = p.kafka.market_data.name;
    member.order_events_topic = p.kafka.order_events.name;
    member.alerts_topic = p.kafka.surveillance_alerts.name;
    member.postgres = p.postgres;
    member.warm_up = p.surveillance_warm_up;
    return member;
}

void serve_status_until_stopped(const Config& config, api::StatusPages pages) {
    boost::asio::io_context io;
    api::RequestMetrics metrics;  // the listener's edge counters; not served
    std::optional<api::StatusServer> status;
    if (config.status_port != 0) {
        status.emplace(io,
                       boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(config.host),
                                                      config.status_port),
                       std::move(pages), metrics);
        status->start();
        spdlog::info("status pages on http://{}:{}/ready and /metrics", config.host,
                     status->port());
    }
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        if (status) status->stop();
        io.stop();
    });
    io.run();  // returns once the signal's handler has run
}

}  // namespace xtrader::app
