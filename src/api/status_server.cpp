#include "xtrader/api/status_server.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace xtrader::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = 8 * 1024;
constexpr auto kDeadline = std::chrono::seconds(10);
constexpr std::size_t kMaxConnections = 64;

class StatusSession : public std::enable_shared_from_this<StatusSession> {
  public:
    StatusSession(ConnectionSocket&& socket, ConnectionSlot slot,
                  std::shared_ptr<const StatusPages> pages)
        : stream_(std::move(socket)), slot_(std::move(slot)), pages_(std::move(pages)) {}

    void run() {
        parser_.header_limit(kHeaderLimit);
        stream_.expires_after(kDeadline);
        http::async_read(
            stream_, buffer_, parser_,
            [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
    }

  private:
    void on_read(beast::error_code ec) {
        if (ec || parser_.get().method() != http::verb::get) return;  // dropped
        response_ = status_response(parser_.get(), *pages_);
        stream_.expires_after(kDeadline);
        http::async_write(stream_, response_,
                          [self = shared_from_this()](beast::error_code, std::size_t) {
                              beast::error_code ignored;
                              self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
                          });
    }

    ConnectionStream stream_;
    ConnectionSlot slot_;
    std::shared_ptr<const StatusPages> pages_;
    beast::flat_buffer buffer_;
    http::request_parser<http::empty_body> parser_;
    http::response<http::string_body> response_;
};

}  // namespace

http::response<http::string_body> status_response(const http::request<http::empty_body>& request,
                                                  const StatusPages& pages) {
    http::response<http::string_body> response;
    response.version(request.version());
    response.set(http::field::server, "xtraderd");
    response.keep_alive(false);
    auto reply = pages ? pages(request.target()) : std::nullopt;
    if (reply) {
        response.result(reply->status);
        response.set(http::field::content_type, reply->content_type);
        response.body() = std::move(reply->body);
    } else {
        response.result(http::status::not_found);
        response.set(http::field::content_type, "application/json");
        response.body() = R"({"code":"not_found","message":"no such page"})";
    }
    response.prepare_payload();
    return response;
}

StatusServer::StatusServer(net::io_context& io, const tcp::endpoint& endpoint, StatusPages pages,
                           RequestMetrics& metrics)
    : pages_(std::make_shared<const StatusPages>(std::move(pages))) {
    listener_ = std::make_shared<Listener>(
        io, endpoint, ListenerOptions{kMaxConnections, {}}, metrics,
        [pages = pages_](ConnectionSocket&& socket, ConnectionSlot slot) {
            std::make_shared<StatusSession>(std::move(socket), std::move(slot), pages)->run();
        });
}

StatusServer::~StatusServer() = default;
void StatusServer::start() {
    listener_->start();
}
void StatusServer::stop() {
    listener_->stop();
}
unsigned short StatusServer::port() const {
    return listener_->port();
}

}  // namespace xtrader::api
