// Status pages for probes and scrapers: a GET answered from a callback, one answer per
// connection, then closed. The WebSocket port answers them beside its upgrades (a gateway's
// /health for HAProxy); StatusServer serves them alone, on the status port of a role process
// that has no REST port (persister, mdp, surveillance): /health, /ready, /metrics and
// /api/v1/system/pipelines for the orchestrator and Prometheus.
//
// Against hostile input: 8 KiB of request line and headers, 10 s to send them and 10 s to take
// the answer, anything but GET dropped, at most 64 connections at once.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "xtrader/api/listener.hpp"
#include "xtrader/api/metrics.hpp"

namespace xtrader::api {

struct StatusReply {
    unsigned status = 200;
    std::string content_type = "application/json";
    std::string body;
};
// The page at a target, or nullopt: 404. Called on an io thread.
using StatusPages = std::function<std::optional<StatusReply>(std::string_view target)>;

// The answer to a GET of `request`'s target: the page, or 404. Connection: close.
boost::beast::http::response<boost::beast::http::string_body> status_response(
    const boost::beast::http::request<boost::beast::http::empty_body>& request,
    const StatusPages& pages);

class StatusServer {
  public:
    StatusServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
                 StatusPages pages, RequestMetrics& metrics);
    ~StatusServer();

    void start();
    void stop();
    unsigned short port() const;

  private:
    std::shared_ptr<const StatusPages> pages_;  // shared with the sessions
    std::shared_ptr<Listener> listener_;
};

}  // namespace xtrader::api
