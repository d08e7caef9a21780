// The HTTP/1.1 server on Boost.Beast, in the style of Beast's advanced server example: a
// listener accepts each connection onto its own strand; a session reads requests with a timeout,
// a header limit and a body limit, hands each to RestApi, and writes the answers in request
// order as they come back (posted onto the session's strand from whichever thread produced
// them). A client may pipeline: up to 16 requests of a connection are in the exchange at once,
// and answers ready together leave in one write.
//
// The session is the boundary against hostile input: a request that is not HTTP gets 400, an
// HTTP/1.1 request without Host 400, too large headers 431, a too large body 413 (each with the
// JSON error body, after the answers still due, then the connection closes; nothing after it is
// read); an exception from a handler is caught here, answered 500, logged and counted, and the
// process goes on. Keep-alive otherwise.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

#include "xtrader/api/listener.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/reply_relay.hpp"
#include "xtrader/api/rest_api.hpp"

namespace xtrader::api {

struct HttpOptions {
    std::size_t body_limit = 64 * 1024;
    std::size_t header_limit = 16 * 1024;   // request line and headers together
    std::chrono::seconds read_timeout{30};  // a whole request, or an idle keep-alive connection
    std::size_t max_connections = 10'000;   // beyond them: 503 and closed
};

class HttpServer {
  public:
    HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
               RestApi& api, ReplyRelay& relay, RequestMetrics& metrics, HttpOptions options);
    ~HttpServer();

    void start();
    void stop();  // stops accepting; open sessions end with their next read
    unsigned short port() const;

  private:
    std::unique_ptr<HttpOptions> options_;  // sessions refer to it
    std::shared_ptr<Listener> listener_;
};

}  // namespace xtrader::api
