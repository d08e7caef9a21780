#include "xtrader/api/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <optional>

namespace xtrader::api {

namespace beast = boost::beast;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

void fail(beast::error_code ec, const char* what) {
    if (ec == net::error::operation_aborted || ec == beast::error::timeout ||
        ec == http::error::end_of_stream || ec == http::error::partial_message ||
        ec == net::error::connection_reset || ec == net::error::eof) {
        return;
    }
    spdlog::debug("http {}: {}", what, ec.message());
}

// An answer made by the session itself, before or instead of the routes; the connection closes.
HttpAnswer session_answer(unsigned status, std::string_view code, std::string_view message) {
    return encode_answer(status, 11, false, "application/json", error_body(code, message));
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(tcp::socket&& socket, ConnectionSlot slot, RestApi& api, ReplyRelay& relay,
                RequestMetrics& metrics, const HttpOptions& options)
        : stream_(std::move(socket)),
          slot_(std::move(slot)),
          api_(api),
          relay_(relay),
          metrics_(metrics),
          options_(options) {
        beast::error_code ec;
        peer_ = stream_.socket().remote_endpoint(ec).address();
    }

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
    }

  private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
        stream_.expires_after(options_.read_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit) {
            return do_write(session_answer(413, "payload_too_large", "the body is too large"));
        }
        if (ec == http::error::header_limit) {
            metrics_.count(EdgeEvent::HttpMalformed);
            return do_write(session_answer(431, "headers_too_large",
                                           "the request line and headers are too large"));
        }
        if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
            metrics_.count(EdgeEvent::HttpMalformed);
            return do_write(session_answer(400, "malformed_request",
                                           "not an HTTP/1.1 request: " + ec.message()));
        }
        if (ec) return fail(ec, "read");
        stream_.expires_never();  // the answer may take a sequencer round trip
        request_ = parser_->release();
        // Exactly one answer per request: the handler's, or the 500 below if it threw first.
        auto answered = std::make_shared<std::atomic<bool>>(false);
        try {
            // The answer comes back on any thread; the write happens on this session's strand.
            api_.handle(request_, peer_,
                        [self = shared_from_this(), answered](HttpAnswer&& answer) {
                            if (answered->exchange(true)) return;
                            self->relay_.relay([self, answer = std::move(answer)]() mutable {
                                net::post(self->stream_.get_executor(),
                                          [self, answer = std::move(answer)]() mutable {
                                              self->do_write(std::move(answer));
                                          });
                            });
                        });
        } catch (const std::exception& e) {
            internal_error(answered, e.what());
        } catch (...) {
            internal_error(answered, "unknown exception");
        }
    }

    void internal_error(const std::shared_ptr<std::atomic<bool>>& answered, const char* what) {
        metrics_.count(EdgeEvent::HttpException);
        spdlog::error("http: {} {} threw: {}", std::string(request_.method_string()),
                      std::string(request_.target().substr(0, 200)), what);
        if (answered->exchange(true)) return;
        do_write(session_answer(500, "internal_error", "the server failed to handle this request"));
    }

    void do_write(HttpAnswer&& answer) {
        answer_ = std::move(answer);
        stream_.expires_after(options_.read_timeout);
        net::async_write(
            stream_, net::buffer(answer_.wire),
            beast::bind_front_handler(&HttpSession::on_write, shared_from_this(), answer_.close));
    }

    void on_write(bool close, beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "write");
        if (close) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        do_read();
    }

    beast::tcp_stream stream_;
    ConnectionSlot slot_;
    beast::flat_buffer buffer_;
    RestApi& api_;
    ReplyRelay& relay_;
    RequestMetrics& metrics_;
    const HttpOptions& options_;
    net::ip::address peer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpRequest request_;
    HttpAnswer answer_;  // the one being written
};

// Written by the listener itself to a connection beyond the limit, which it then closes.
std::string busy_answer() {
    return encode_answer(503, 11, false, "application/json",
                         error_body("overloaded", "too many connections; retry shortly"), false,
                         {.retry_after = "1"})
        .wire;
}

}  // namespace

HttpServer::HttpServer(net::io_context& io, const tcp::endpoint& endpoint, RestApi& api,
                       ReplyRelay& relay, RequestMetrics& metrics, HttpOptions options)
    : options_(std::make_unique<HttpOptions>(options)),
      listener_(std::make_shared<Listener>(
          io, endpoint, ListenerOptions{options.max_connections, busy_answer()}, metrics,
          [&api, &relay, &metrics, opts = options_.get()](tcp::socket&& socket,
                                                          ConnectionSlot slot) {
              std::make_shared<HttpSession>(std::move(socket), std::move(slot), api, relay, metrics,
                                            *opts)
                  ->run();
          })) {}

HttpServer::~HttpServer() = default;
void HttpServer::start() {
    listener_->start();
}
void HttpServer::stop() {
    listener_->stop();
}
unsigned short HttpServer::port() const {
    return listener_->port();
}

}  // namespace xtrader::api
