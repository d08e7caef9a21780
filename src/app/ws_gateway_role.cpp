#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/signal_set.hpp>
#include <iostream>
#include <thread>

#include "xtrader/api/authenticator.hpp"
#include "xtrader/api/key_registry.hpp"
#include "xtrader/api/ws_feed.hpp"
#include "xtrader/api/ws_server.hpp"
#include "xtrader/app/accounts.hpp"
#include "xtrader/app/roles.hpp"
#include "xtrader/consumers/notification_consumer.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::app {

namespace net = boost::asio;

namespace {

std::string pipelines_page(const GatewayFigures& f, std::size_t connections,
                           const std::string& gateway) {
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("mode").string("ws-gateway").key("gateway").string(gateway);
    json.key("pipelines").begin_array().begin_object();
    json.key("name").string(f.queue).key("kind").string("rabbitmq-queue");
    json.key("state").string(f.connected ? "healthy" : "degraded");
    json.key("connections").number(std::uint64_t{connections});
    json.key("queue_depth").number(f.queue_depth);
    json.key("delivered").number(f.delivered);
    json.key("resyncs").number(f.resyncs);
    json.key("retries").number(f.retries);
    json.key("dead_lettered").number(f.dead_letters);
    json.key("reconnects").number(f.reconnects);
    json.key("last_error").string(f.last_error);
    json.end_object().end_array().end_object();
    return body;
}

std::string metrics_page(const GatewayFigures& f, std::size_t connections,
                         const std::string& gateway) {
    std::string text;
    const auto figure = [&](std::string_view name, std::string_view type, std::uint64_t value) {
        text += fmt::format("# TYPE {} {}\n{}{{gateway=\"{}\"}} {}\n", name, type, name, gateway,
                            value);
    };
    figure("xtrader_gateway_connected", "gauge", f.connected ? 1 : 0);
    figure("xtrader_gateway_connections", "gauge", connections);
    figure("xtrader_gateway_queue_depth", "gauge", f.queue_depth);
    figure("xtrader_gateway_delivered_total", "counter", f.delivered);
    figure("xtrader_gateway_resyncs_total", "counter", f.resyncs);
    figure("xtrader_gateway_retries_total", "counter", f.retries);
    figure("xtrader_gateway_dead_lettered_total", "counter", f.dead_letters);
    figure("xtrader_gateway_reconnects_total", "counter", f.reconnects);
    return text;
}

}  // namespace

int run_ws_gateway(const Config& config) {
    const auto& p = config.pipelines;
    if (!p.rabbitmq || p.redis.empty()) {
        throw ConfigError("--role ws-gateway needs --rabbitmq and --redis (the market-data cache)");
    }

    // Without --gateway-name, the host's name: each replica of a container service its own queue.
    const std::string gateway =
        p.gateway_name.empty() ? boost::asio::ip::host_name() : p.gateway_name;
    if (!is_gateway_name(gateway)) {
        throw ConfigError("--role ws-gateway needs --gateway-name: the host name " + gateway +
                          " is not one (1 to 64 letters, digits, - or _)");
    }

    raise_descriptor_limit();
    // The same clients' keys as the exchange: the configured accounts and the keys issued at run
    // time, read from the data directory the gateway is given (the exchange's, shared).
    api::KeyRegistry keys(config.sequencer.data_dir / "keys.json");
    load_keys(config, keys);
    api::Authenticator auth(keys, {}, config.auth_failures_per_minute);
    api::RequestMetrics metrics;

    MarketData mirror(config.catalog);
    MarketDataCache cache(config.catalog, p.redis_endpoint(), p.market_data_cache);
    auto hub = std::make_shared<api::WsHub>(config.ws.backlog());
    // Tickers and candles come from the MDP, relayed; the mirror serves the book and the trades.
    api::WsFeed feed(config.catalog, mirror, *hub, /*statistics=*/false);
    mirror.set_listener(&feed);
    NotificationConsumerOptions options;
    options.endpoint = *p.rabbitmq;
    options.exchange = p.rabbitmq_publisher.exchange;
    options.gateway = gateway;
    options.probe_interval = std::min(p.probe_interval, std::chrono::milliseconds(1000));
    NotificationConsumer consumer(config.catalog, std::move(options), mirror, cache, feed);

    const unsigned threads = io_threads(config);
    net::io_context io{static_cast<int>(threads)};
    std::optional<api::WsServer> server;
    const auto pages = [&](std::string_view target) -> std::optional<api::StatusReply> {
        const auto figures = consumer.figures();
        const std::size_t connections = server ? server->clients() : 0;
        if (target == "/health" || target == "/ready") {
            // Healthy for the load balancer while the queue is consumed: a gateway that lost
            // RabbitMQ gets no new clients.
            if (figures.connected)
                return api::StatusReply{200, "application/json", R"({"status":"ok"})"};
            return api::StatusReply{503, "application/json",
                                    R"({"code":"not_ready","message":"not consuming RabbitMQ"})"};
        }
        if (target == "/api/v1/system/pipelines") {
            return api::StatusReply{200, "application/json",
                                    pipelines_page(figures, connections, gateway)};
        }
        if (target == "/metrics") {
            return api::StatusReply{200, "text/plain; version=0.0.4",
                                    metrics_page(figures, connections, gateway)};
        }
        return std::nullopt;
    };
    server.emplace(io, net::ip::tcp::endpoint(net::ip::make_address(config.host), config.ws_port),
                   hub, config.catalog, mirror, auth, metrics, config.ws, pages);

    consumer.start();
    server->start();
    std::cout << "xtraderd ws-gateway " << gateway
              << ": WebSocket on ws://localhost:" << server->port() << "/ws, queue "
              << consumer.queue() << std::endl;

    net::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("ws-gateway: signal {}: stopping", signal);
        server->stop();
        io.stop();
    });
    run_io(io, threads);
    consumer.stop();
    const auto figures = consumer.figures();
    spdlog::info("ws-gateway: stopped; {} delivered, {} resyncs, {} dead letters",
                 figures.delivered, figures.resyncs, figures.dead_letters);
    return 0;
}

}  // namespace xtrader::app
