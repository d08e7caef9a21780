// The HTTP/1.1 server on Boost.Beast, in the style of Beast's advanced server example: a
// listener accepts each connection onto its own strand; a session reads one request at a time
// with a timeout and a body limit, hands it to RestApi, and writes the answer when it comes back
// (posted onto the session's strand from whichever thread produced it). Keep-alive; a request
// whose body is too large gets 413 and the connection is closed.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

#include "xtrader/api/listener.hpp"
#include "xtrader/api/reply_relay.hpp"
#include "xtrader/api/rest_api.hpp"

namespace xtrader::api {

struct HttpOptions {
    std::size_t body_limit = 64 * 1024;
    std::chrono::seconds read_timeout{30};  // a whole request, or an idle keep-alive connection
};

class HttpServer {
  public:
    HttpServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
               RestApi& api, ReplyRelay& relay, HttpOptions options);
    ~HttpServer();

    void start();
    void stop();  // stops accepting; open sessions end with their next read
    unsigned short port() const;

  private:
    std::unique_ptr<HttpOptions> options_;  // sessions refer to it
    std::shared_ptr<Listener> listener_;
};

}  // namespace xtrader::api
