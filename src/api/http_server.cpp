#include "xtrader/api/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
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
        ec == http::error::end_of_stream || ec == net::error::connection_reset ||
        ec == net::error::eof) {
        return;
    }
    spdlog::debug("http {}: {}", what, ec.message());
}

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(tcp::socket&& socket, RestApi& api, ReplyRelay& relay, const HttpOptions& options)
        : stream_(std::move(socket)), api_(api), relay_(relay), options_(options) {}

    void run() {
        net::dispatch(stream_.get_executor(),
                      beast::bind_front_handler(&HttpSession::do_read, shared_from_this()));
    }

  private:
    void do_read() {
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        stream_.expires_after(options_.read_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::body_limit) return reject_too_large();
        if (ec) return fail(ec, "read");
        stream_.expires_never();  // the answer may take a sequencer round trip
        request_ = parser_->release();
        // The answer comes back on any thread; the write happens on this session's strand.
        api_.handle(request_, [self = shared_from_this()](HttpResponse&& response) {
            self->relay_.relay([self, response = std::move(response)]() mutable {
                net::post(self->stream_.get_executor(),
                          [self, response = std::move(response)]() mutable {
                              self->do_write(std::move(response));
                          });
            });
        });
    }

    void reject_too_large() {
        HttpResponse res{http::status::payload_too_large, 11};
        res.set(http::field::server, "xtraderd");
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"error":{"code":"payload_too_large","message":"the body is too large"}})";
        res.keep_alive(false);
        res.prepare_payload();
        do_write(std::move(res));
    }

    void do_write(HttpResponse&& response) {
        response_ = std::move(response);
        stream_.expires_after(options_.read_timeout);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&HttpSession::on_write, shared_from_this(),
                                                    response_.need_eof()));
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
    beast::flat_buffer buffer_;
    RestApi& api_;
    ReplyRelay& relay_;
    const HttpOptions& options_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpRequest request_;
    HttpResponse response_;
};

}  // namespace

HttpServer::HttpServer(net::io_context& io, const tcp::endpoint& endpoint, RestApi& api,
                       ReplyRelay& relay, HttpOptions options)
    : options_(std::make_unique<HttpOptions>(options)),
      listener_(std::make_shared<Listener>(
          io, endpoint, [&api, &relay, opts = options_.get()](tcp::socket&& socket) {
              std::make_shared<HttpSession>(std::move(socket), api, relay, *opts)->run();
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
