#include "xtrader/api/ws_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include "xtrader/api/encoders.hpp"
#include "xtrader/api/request_target.hpp"
#include "xtrader/api/ws_feed.hpp"
#include "xtrader/api/ws_protocol.hpp"

namespace xtrader::api {

namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

Message error_message(std::string_view code, std::string_view message) {
    std::string out;
    JsonWriter json(out);
    json.begin_object().key("type").string("Error").key("code").string(code);
    json.key("message").string(message).end_object();
    return make_message(std::move(out));
}

void fail(beast::error_code ec, const char* what) {
    if (ec == net::error::operation_aborted || ec == websocket::error::closed ||
        ec == beast::error::timeout || ec == net::error::eof ||
        ec == net::error::connection_reset) {
        return;
    }
    spdlog::debug("ws {}: {}", what, ec.message());
}

}  // namespace

// What every session shares. Sessions hold it (and so the hub) by shared_ptr: a session still
// queued in the io_context when the server is gone must be able to unregister as it dies.
struct WsContext {
    WsContext(std::shared_ptr<WsHub> hub_, const MarketCatalog& catalog_,
              const MarketData& market_data_, RequestMetrics& metrics_, Authenticator& auth_,
              WsOptions options_, StatusPages status_pages_,
              std::function<void(AccountId)> cancel_all_)
        : hub(std::move(hub_)),
          catalog(catalog_),
          market_data(market_data_),
          metrics(metrics_),
          auth(auth_),
          options(options_),
          status_pages(std::move(status_pages_)),
          cancel_all(std::move(cancel_all_)) {}

    std::shared_ptr<WsHub> hub;
    const MarketCatalog& catalog;
    const MarketData& market_data;
    RequestMetrics& metrics;
    Authenticator& auth;
    WsOptions options;
    StatusPages status_pages;
    std::function<void(AccountId)> cancel_all;  // cancel-on-disconnect; empty: not offered
    // Upgraded connections: the clients, without the probes of the status pages.
    mutable std::atomic<std::size_t> clients{0};
};

namespace {

// What one queued message costs beyond its text: the queue's slot and the shared pointer.
constexpr std::size_t kMessageOverhead = 64;
// The largest batch frame, but for a single message larger than this.
constexpr std::size_t kMaxBatchFrame = 64 * 1024;
// The batch buffer a session keeps between writes (what an idle connection may hold for it).
constexpr std::size_t kKeptFrameBytes = 512;
// A client closed 1008 that does not read the close frame either is cut off after this.
constexpr auto kCloseDeadline = std::chrono::seconds(5);

class WsSession final : public WsSubscriber, public std::enable_shared_from_this<WsSession> {
  public:
    WsSession(ConnectionSocket&& socket, ConnectionSlot slot,
              std::shared_ptr<const WsContext> context)
        : ws_(std::move(socket)),
          slot_(std::move(slot)),
          context_(std::move(context)),
          close_deadline_(ws_.get_executor()) {
        beast::error_code ec;
        peer_ = beast::get_lowest_layer(ws_).socket().remote_endpoint(ec).address();
    }

    ~WsSession() override {
        // The connection is gone, however it ended: a market maker's quotes go with it.
        if (cancel_on_disconnect_ && account_) context_->cancel_all(*account_);
        for (const auto& [name, subscription] : channels_) context_->hub->unsubscribe(subscription);
        if (accepted_) context_->clients.fetch_sub(1, std::memory_order_relaxed);
    }

    void run() {
        net::dispatch(ws_.get_executor(),
                      beast::bind_front_handler(&WsSession::do_read_upgrade, shared_from_this()));
    }

    // Any thread: a channel has something new. A session already writing (or about to) takes
    // it when its write completes; an idle one is started, once.
    void wake() override {
        if (!active_.exchange(true, std::memory_order_acq_rel)) {
            net::post(ws_.get_executor(), [self = shared_from_this()] { self->do_write(); });
        }
    }

    // Any thread: it fell further behind on a channel than the backlog allows.
    void too_slow() override {
        if (!too_slow_.exchange(true)) {
            net::post(ws_.get_executor(), [self = shared_from_this()] { self->close_slow(); });
        }
    }

  private:
    static std::size_t cost(const std::string& message) noexcept {
        return message.size() + kMessageOverhead;
    }

    void do_read_upgrade() {
        upgrade_.header_limit(8 * 1024);
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(30));
        http::async_read(
            beast::get_lowest_layer(ws_), buffer_, upgrade_,
            beast::bind_front_handler(&WsSession::on_read_upgrade, shared_from_this()));
    }

    void on_read_upgrade(beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "upgrade");
        const auto& request = upgrade_.get();
        if (!websocket::is_upgrade(request)) return answer_status(request);
        const RequestTarget target(request.target());
        if (target.path() != "/ws" && target.path() != "/ws/executions") return;  // not ours
        if (const auto* batch = target.param("batch")) batch_ = *batch == "1" || *batch == "true";
        all_executions_ = target.path() == "/ws/executions";
        beast::get_lowest_layer(ws_).expires_never();
        auto timeouts = websocket::stream_base::timeout::suggested(beast::role_type::server);
        timeouts.idle_timeout = context_->options.idle_timeout;
        timeouts.keep_alive_pings = true;
        ws_.set_option(timeouts);
        ws_.read_message_max(context_->options.message_limit);
        // A frame goes out whole, in one write: Beast would cut a batch into 4 KB fragments,
        // each its own send (and read, at the client).
        ws_.auto_fragment(false);
        ws_.set_option(websocket::stream_base::decorator(
            [](websocket::response_type& res) { res.set(http::field::server, "xtraderd"); }));
        ws_.async_accept(request,
                         beast::bind_front_handler(&WsSession::on_accept, shared_from_this()));
    }

    // One answer, then the connection closes: status pages are for probes, not for traffic.
    void answer_status(const http::request<http::empty_body>& request) {
        if (!context_->status_pages || request.method() != http::verb::get) return;
        auto response = std::make_shared<http::response<http::string_body>>(
            status_response(request, context_->status_pages));
        beast::get_lowest_layer(ws_).expires_after(std::chrono::seconds(10));
        http::async_write(beast::get_lowest_layer(ws_), *response,
                          [self = shared_from_this(), response](beast::error_code, std::size_t) {
                              beast::error_code ignored;
                              beast::get_lowest_layer(self->ws_).socket().shutdown(
                                  tcp::socket::shutdown_send, ignored);
                          });
    }

    void on_accept(beast::error_code ec) {
        if (ec) return fail(ec, "accept");
        accepted_ = true;
        context_->clients.fetch_add(1, std::memory_order_relaxed);
        if (all_executions_) {
            for (const auto& m : context_->catalog.markets) subscribe("executions:" + m.symbol);
        }
        upgrade_.release();
        do_read();
    }

    void do_read() {
        ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec) return fail(ec, "read");
        const std::string text = beast::buffers_to_string(buffer_.data());
        buffer_.consume(buffer_.size());
        // The boundary: whatever a message does, the session answers 1011 and the process goes on.
        try {
            handle(text);
        } catch (const std::exception& e) {
            return internal_error(e.what());
        } catch (...) {
            return internal_error("unknown exception");
        }
        if (closing_) return;
        // A client that sends faster than it reads is not read until its queue has drained
        // below half the bound: its requests cannot make the server hold more than that.
        if (queued_bytes_ > context_->options.send_queue_bytes / 2) {
            read_paused_ = true;
            return;
        }
        do_read();
    }

    void internal_error(const char* what) {
        context_->metrics.count(EdgeEvent::WsException);
        spdlog::error("ws: a client message threw: {}", what);
        close_with(websocket::close_code::internal_error, "internal error");
    }

    // On the strand: a message of this session's own (a reply, a snapshot), written before
    // what its channels have new. Counted against the send queue's bounds until written.
    void reply(const Message& message) {
        if (closing_) return;
        const auto& o = context_->options;
        if (queued_ >= o.send_queue_limit || queued_bytes_ + cost(*message) > o.send_queue_bytes) {
            return close_slow();
        }
        ++queued_;
        queued_bytes_ += cost(*message);
        replies_.push_back(message);
        if (!active_.exchange(true, std::memory_order_acq_rel)) do_write();
    }

    void handle(const std::string& text) {
        auto parsed = parse_ws_request(text);
        if (const auto* error = std::get_if<WsRequestError>(&parsed)) {
            return reply(error_message(error->code, error->message));
        }
        auto& request = std::get<WsRequest>(parsed);
        switch (request.op) {
            case WsRequest::Op::Ping: return reply(make_message(R"({"type":"Pong"})"));
            case WsRequest::Op::Options:
                batch_ = request.batch;
                return reply(make_message(batch_ ? R"({"type":"Options","batch":true})"
                                                 : R"({"type":"Options","batch":false})"));
            case WsRequest::Op::Auth: {
                if (!request.admin_token.empty()) return authenticate_admin(request.admin_token);
                const auto result = context_->auth.key(request.api_key, peer_);
                if (const auto* failure = std::get_if<AuthFailure>(&result)) {
                    if (*failure == AuthFailure::Throttled) {
                        context_->metrics.count(EdgeEvent::AuthThrottled);
                        return reply(error_message(
                            "auth_throttled",
                            "too many failed authentications from this address; wait a minute"));
                    }
                    return reply(error_message("unauthorized", "unknown api_key"));
                }
                if (request.cancel_on_disconnect && !context_->cancel_all) {
                    return reply(error_message("unsupported",
                                               "cancel_on_disconnect needs a connection to the "
                                               "exchange itself, not to a gateway"));
                }
                account_ = std::get<Principal>(result).account;
                cancel_on_disconnect_ = request.cancel_on_disconnect;
                return reply(
                    make_message(cancel_on_disconnect_
                                     ? R"({"type":"Authenticated","cancel_on_disconnect":true})"
                                     : R"({"type":"Authenticated"})"));
            }
            case WsRequest::Op::Subscribe:
            case WsRequest::Op::Unsubscribe: break;
        }
        const bool subscribing = request.op == WsRequest::Op::Subscribe;
        std::vector<std::string> done;
        for (const auto& channel : request.channels) {
            if (!valid(channel)) {
                reply(error_message("unknown_channel", "no such channel: " + channel));
                continue;
            }
            if (channel == "orders" && !account_) {
                reply(error_message("unauthorized", "authenticate before subscribing to orders"));
                continue;
            }
            if (channel == kAlertsChannel && !admin_) {
                reply(error_message("unauthorized",
                                    "authenticate with the admin token before subscribing to "
                                    "alerts"));
                continue;
            }
            const std::string key = channel == "orders" ? orders_channel(*account_) : channel;
            if (subscribing) {
                subscribe(key);
                if (channel.starts_with("orderbook:")) send_snapshot(channel);
            } else if (const auto it = channels_.find(key); it != channels_.end()) {
                context_->hub->unsubscribe(it->second);
                channels_.erase(it);
            }
            done.push_back(channel);
        }
        if (done.empty()) return;  // every channel was refused, each with its Error
        std::string out;
        JsonWriter json(out);
        json.begin_object().key("type").string(subscribing ? "Subscribed" : "Unsubscribed");
        json.key("channels").begin_array();
        for (const auto& c : done) json.string(c);
        json.end_array().end_object();
        reply(make_message(std::move(out)));
    }

    void authenticate_admin(const std::string& token) {
        if (const auto failure = context_->auth.admin(token, peer_)) {
            if (*failure == AuthFailure::Throttled) {
                context_->metrics.count(EdgeEvent::AuthThrottled);
                return reply(error_message(
                    "auth_throttled",
                    "too many failed authentications from this address; wait a minute"));
            }
            return reply(error_message("unauthorized", "wrong admin token"));
        }
        admin_ = true;
        reply(make_message(R"({"type":"Authenticated","admin":true})"));
    }

    bool valid(const std::string& channel) const {
        if (channel == "orders" || channel == kAlertsChannel) return true;
        const auto colon = channel.find(':');
        if (colon == std::string::npos) return false;
        const auto kind = channel.substr(0, colon);
        std::string rest = channel.substr(colon + 1);
        if (kind == "candles") {
            const auto second = rest.find(':');
            if (second == std::string::npos || !parse_interval(rest.substr(second + 1)))
                return false;
            rest = rest.substr(0, second);
        } else if (kind != "executions" && kind != "orderbook" && kind != "ticker") {
            return false;
        }
        return context_->catalog.find(rest) != nullptr;
    }

    // From the channel's next message. The session waits on it at once: if it is idle, it is
    // woken by that message; if it is writing, the wait is a spare wake-up at most.
    void subscribe(const std::string& channel) {
        if (channels_.contains(channel)) return;
        const auto& subscription =
            channels_.emplace(channel, context_->hub->subscribe(channel, weak_from_this()))
                .first->second;
        WsHub::ready_or_wait(subscription);
    }

    // After the subscription, so that no change falls between; the client applies the deltas
    // whose version is above the snapshot's.
    void send_snapshot(const std::string& channel) {
        const auto* market = context_->catalog.find(channel.substr(channel.find(':') + 1));
        const auto id = static_cast<MarketId>(market - context_->catalog.markets.data());
        reply(make_message(book_snapshot_message(*market, channel,
                                                 context_->market_data.book(id, kSnapshotDepth))));
    }

    // Takes the replies, then what each channel has new, into writing_; false when a channel
    // dropped messages before this session took them (it is too slow).
    bool take() {
        replies_in_writing_ = replies_.size();
        writing_.swap(replies_);
        for (const auto& [name, subscription] : channels_) {
            if (!WsHub::take(subscription, writing_)) return false;
        }
        return true;
    }

    // On the strand, with active_ set and no write in flight: writes what is ready, or goes
    // idle, waiting on every channel. A message that comes while it goes idle either is seen
    // by ready_or_wait or wakes it.
    void do_write() {
        if (closing_) return;
        if (sent_ == writing_.size()) {
            cork(false);  // the burst taken last time is written: let it go out now
            writing_.clear();
            written_ = sent_ = 0;
            for (;;) {
                if (!take()) return close_slow();
                if (!writing_.empty()) break;
                active_.store(false, std::memory_order_release);
                bool ready = false;
                for (const auto& [name, subscription] : channels_) {
                    ready = WsHub::ready_or_wait(subscription) || ready;
                }
                if (!ready || active_.exchange(true, std::memory_order_acq_rel)) return;
            }
        }
        ws_.text(true);
        if (!batch_) {
            // Frames with more behind them wait in the kernel until the last: one transmit
            // (and one wake-up of the reader) for the burst instead of one per frame.
            if (sent_ + 1 < writing_.size()) cork(true);
            ws_.async_write(net::buffer(*writing_[sent_++]),
                            beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
            return;
        }
        // The messages ready, as one JSON array in one frame, copied into one buffer (cheaper
        // than handing Beast and the kernel a piece per message) that is freed after the write.
        // Past kMaxBatchFrame the rest waits for the next frame: the copy of a client that stops
        // reading costs at most that much beside its queue.
        std::size_t end = sent_, bytes = 1;
        do {
            bytes += writing_[end]->size() + 1;
        } while (++end < writing_.size() && bytes + writing_[end]->size() < kMaxBatchFrame);
        frame_.reserve(bytes);
        frame_ += '[';
        for (; sent_ < end; ++sent_) {
            if (frame_.size() > 1) frame_ += ',';
            frame_ += *writing_[sent_];
        }
        frame_ += ']';
        ws_.async_write(net::buffer(frame_),
                        beast::bind_front_handler(&WsSession::on_write, shared_from_this()));
    }

    // The replies among writing_[written_, sent_) are written: their place in the bounds goes.
    void release_written() {
        for (; written_ < sent_; ++written_) {
            if (written_ < replies_in_writing_) {
                --queued_;
                queued_bytes_ -= cost(*writing_[written_]);
            }
        }
    }

    void on_write(beast::error_code ec, std::size_t) {
        release_written();
        // A frame of a message or two keeps its buffer for the next; a large one gives it back.
        if (frame_.capacity() > kKeptFrameBytes) {
            std::string().swap(frame_);
        } else {
            frame_.clear();
        }
        if (ec) {
            stop_writing();
            return fail(ec, "write");
        }
        if (closing_) return;
        do_write();
        if (read_paused_ && queued_bytes_ <= context_->options.send_queue_bytes / 4) {
            read_paused_ = false;
            do_read();
        }
    }

    // TCP_CORK on or off, when it changes; a failure only costs the coalescing.
    void cork(bool on) {
        if (corked_ == on) return;
        corked_ = on;
        const int value = on ? 1 : 0;
        ::setsockopt(beast::get_lowest_layer(ws_).socket().native_handle(), IPPROTO_TCP, TCP_CORK,
                     &value, sizeof value);
    }

    // Gives back the replies not yet being written; a write in flight keeps its messages until
    // it completes. Nothing more is taken once closing.
    void stop_writing() {
        for (std::size_t i = sent_; i < std::min(writing_.size(), replies_in_writing_); ++i) {
            --queued_;
            queued_bytes_ -= cost(*writing_[i]);
        }
        writing_.resize(sent_);
        for (const auto& m : replies_) {
            --queued_;
            queued_bytes_ -= cost(*m);
        }
        replies_.clear();
    }

    void close_slow() {
        if (closing_) return;
        context_->metrics.count(EdgeEvent::WsSlowClosed);
        spdlog::warn("ws: closing a client that cannot keep up ({} replies, {} bytes queued)",
                     queued_, queued_bytes_);
        close_with(websocket::close_code::policy_error, "too slow: send queue full");
    }

    // Drops everything queued but the write in flight; the close frame follows it. A client
    // that reads neither is cut off at the deadline, and the session's memory goes with it.
    void close_with(websocket::close_code code, const char* reason) {
        if (closing_) return;
        closing_ = true;
        stop_writing();
        cork(false);  // the close frame leaves at once
        ws_.async_close(
            websocket::close_reason(code, reason),
            [self = shared_from_this()](beast::error_code) { self->close_deadline_.cancel(); });
        close_deadline_.expires_after(kCloseDeadline);
        close_deadline_.async_wait([self = shared_from_this()](beast::error_code ec) {
            if (!ec) beast::get_lowest_layer(self->ws_).close();
        });
    }

    websocket::stream<ConnectionStream> ws_;
    ConnectionSlot slot_;
    std::shared_ptr<const WsContext> context_;
    net::ip::address peer_;
    net::steady_timer close_deadline_;
    beast::flat_buffer buffer_;
    http::request_parser<http::empty_body> upgrade_;
    // The writer, on the strand: replies queue in replies_; each write takes them and what the
    // channels have new into writing_, and writes that (one frame each, or one array), one
    // write in flight. active_ is set while a write is in flight or posted.
    std::vector<Message> replies_;
    std::vector<Message> writing_;        // [written_, sent_) in flight, then waiting
    std::size_t replies_in_writing_ = 0;  // writing_ begins with that many replies
    std::size_t written_ = 0;
    std::size_t sent_ = 0;
    std::atomic<bool> active_{false};
    std::string frame_;            // batch mode: the array being written
    bool corked_ = false;          // TCP_CORK set: a burst is being written
    bool batch_ = false;           // every write one JSON array of all that is ready
    bool all_executions_ = false;  // /ws/executions
    std::size_t queued_ = 0;       // replies queued or being written, and their cost
    std::size_t queued_bytes_ = 0;
    std::atomic<bool> too_slow_{false};
    bool closing_ = false;
    bool read_paused_ = false;
    bool accepted_ = false;
    std::optional<AccountId> account_;
    bool cancel_on_disconnect_ = false;
    bool admin_ = false;  // authenticated with the admin token: may read `alerts`
    // The hub channels this session is in, and its place in each.
    std::unordered_map<std::string, std::shared_ptr<WsHub::Subscription>> channels_;
};

}  // namespace

WsServer::WsServer(net::io_context& io, const tcp::endpoint& endpoint, std::shared_ptr<WsHub> hub,
                   const MarketCatalog& catalog, const MarketData& market_data, Authenticator& auth,
                   RequestMetrics& metrics, WsOptions options, StatusPages status_pages,
                   std::function<void(AccountId)> cancel_all)
    : context_(std::make_shared<const WsContext>(std::move(hub), catalog, market_data, metrics,
                                                 auth, options, std::move(status_pages),
                                                 std::move(cancel_all))) {
    listener_ = std::make_shared<Listener>(
        io, endpoint, ListenerOptions{options.max_connections, {}}, metrics,
        [context = context_](ConnectionSocket&& socket, ConnectionSlot slot) {
            if (context->options.socket_send_buffer != 0) {
                boost::system::error_code ignored;
                socket.set_option(net::socket_base::send_buffer_size(
                                      static_cast<int>(context->options.socket_send_buffer)),
                                  ignored);
            }
            std::make_shared<WsSession>(std::move(socket), std::move(slot), context)->run();
        });
}

WsServer::~WsServer() = default;
void WsServer::start() {
    listener_->start();
}
void WsServer::stop() {
    listener_->stop();
}
unsigned short WsServer::port() const {
    return listener_->port();
}
std::size_t WsServer::clients() const noexcept {
    return context_->clients.load(std::memory_order_relaxed);
}

}  // namespace xtrader::api
