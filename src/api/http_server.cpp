#include "xtrader/api/http_server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <deque>
#include <optional>
#include <vector>

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

// HTTP/1.1 pipelining, bounded as in Beast's advanced server: the session goes on reading while
// fewer than kPipelineLimit of its requests wait for their answers, so a client that pipelines
// has several orders in one sequencer batch instead of one per round trip. Answers go back in
// request order; those ready together leave in one write.
constexpr std::size_t kPipelineLimit = 16;

class HttpSession : public std::enable_shared_from_this<HttpSession> {
  public:
    HttpSession(ConnectionSocket&& socket, ConnectionSlot slot, RestApi& api, ReplyRelay& relay,
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
    // Reads the next request unless one is being read, the connection is ending, or the
    // pipeline is full (then the write that frees a place starts the read).
    void do_read() {
        if (reading_ || last_read_ || answers_.size() >= kPipelineLimit) return;
        reading_ = true;
        parser_.emplace();
        parser_->body_limit(options_.body_limit);
        parser_->header_limit(static_cast<std::uint32_t>(options_.header_limit));
        stream_.expires_after(options_.read_timeout);
        http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        reading_ = false;
        if (ec == http::error::body_limit) {
            return answer_and_close(
                session_answer(413, "payload_too_large", "the body is too large"));
        }
        if (ec == http::error::header_limit) {
            metrics_.count(EdgeEvent::HttpMalformed);
            return answer_and_close(session_answer(431, "headers_too_large",
                                                   "the request line and headers are too large"));
        }
        if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
            ec != http::error::end_of_stream && ec != http::error::partial_message) {
            metrics_.count(EdgeEvent::HttpMalformed);
            return answer_and_close(session_answer(400, "malformed_request",
                                                   "not an HTTP/1.1 request: " + ec.message()));
        }
        if (ec) {
            // The client is gone or idle too long; answers still due are written first.
            last_read_ = true;
            return fail(ec, "read");
        }
        request_ = parser_->release();
        // RFC 9112 3.2: an HTTP/1.1 request without Host is malformed.
        if (request_.version() >= 11 && request_.find(http::field::host) == request_.end()) {
            metrics_.count(EdgeEvent::HttpMalformed);
            return answer_and_close(
                session_answer(400, "missing_host", "an HTTP/1.1 request needs a Host header"));
        }
        // Nothing after a request whose answer closes the connection is read: it would be
        // handled and never answered.
        if (!request_.keep_alive()) last_read_ = true;
        const std::uint64_t id = first_waiting_ + answers_.size();
        answers_.emplace_back();
        // Exactly one answer per request: the handler's, or the 500 below if it threw first.
        auto answered = std::make_shared<std::atomic<bool>>(false);
        try {
            // The answer comes back on any thread; it is queued on this session's strand.
            api_.handle(request_, peer_,
                        [self = shared_from_this(), answered, id](HttpAnswer&& answer) {
                            if (answered->exchange(true)) return;
                            self->relay_.relay([self, id, answer = std::move(answer)]() mutable {
                                net::post(self->stream_.get_executor(),
                                          [self, id, answer = std::move(answer)]() mutable {
                                              self->on_answer(id, std::move(answer));
                                          });
                            });
                        });
        } catch (const std::exception& e) {
            internal_error(answered, id, e.what());
        } catch (...) {
            internal_error(answered, id, "unknown exception");
        }
        do_read();
    }

    void internal_error(const std::shared_ptr<std::atomic<bool>>& answered, std::uint64_t id,
                        const char* what) {
        metrics_.count(EdgeEvent::HttpException);
        spdlog::error("http: {} {} threw: {}", std::string(request_.method_string()),
                      std::string(request_.target().substr(0, 200)), what);
        last_read_ = true;  // the 500 closes the connection
        if (answered->exchange(true)) return;
        on_answer(
            id, session_answer(500, "internal_error", "the server failed to handle this request"));
    }

    // An answer the session makes itself, after those still due; the connection then closes.
    void answer_and_close(HttpAnswer&& answer) {
        last_read_ = true;
        answers_.emplace_back(std::move(answer));
        do_write();
    }

    void on_answer(std::uint64_t id, HttpAnswer&& answer) {
        answers_[id - first_waiting_] = std::move(answer);
        do_write();
    }

    // Writes the answers ready at the front, together, unless a write is in flight.
    void do_write() {
        if (written_ != 0) return;
        buffers_.clear();
        for (const auto& answer : answers_) {
            if (!answer) break;
            buffers_.push_back(net::buffer(answer->wire));
            ++written_;
            if (answer->close) break;
        }
        if (written_ == 0) return;
        stream_.expires_after(options_.read_timeout);
        net::async_write(stream_, buffers_,
                         beast::bind_front_handler(&HttpSession::on_write, shared_from_this()));
    }

    void on_write(beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "write");
        const bool close = answers_[written_ - 1]->close;
        answers_.erase(answers_.begin(), answers_.begin() + static_cast<std::ptrdiff_t>(written_));
        first_waiting_ += written_;
        written_ = 0;
        if (close) {
            beast::error_code ignored;
            stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
            return;
        }
        do_write();
        do_read();
    }

    ConnectionStream stream_;
    ConnectionSlot slot_;
    beast::flat_buffer buffer_;
    RestApi& api_;
    ReplyRelay& relay_;
    RequestMetrics& metrics_;
    const HttpOptions& options_;
    net::ip::address peer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    HttpRequest request_;  // the one being handed to the routes
    // One place per request read and not yet answered on the wire, oldest first (request
    // first_waiting_); empty until its answer comes.
    std::deque<std::optional<HttpAnswer>> answers_;
    std::uint64_t first_waiting_ = 0;
    std::size_t written_ = 0;                 // answers at the front in the write in flight
    std::vector<net::const_buffer> buffers_;  // theirs
    bool reading_ = false;
    bool last_read_ = false;  // no more requests are read on this connection
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
          [&api, &relay, &metrics, opts = options_.get()](ConnectionSocket&& socket,
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
