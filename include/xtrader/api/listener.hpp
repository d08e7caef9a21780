// Accepts TCP connections, each onto a strand of its own, and hands the sockets to a callback
// that starts a session (Beast's listener, shared by the HTTP and WebSocket servers).
//
// Guards the process's descriptors: at most max_connections sessions live at once (a connection
// beyond them gets `busy_answer`, if any, and is closed at once), and when the process runs out
// of descriptors (EMFILE / ENFILE) accepting pauses for a moment instead of spinning.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <functional>
#include <memory>
#include <string>

#include "xtrader/api/metrics.hpp"

namespace xtrader::api {

// A session's place under the connection limit, given back when the session is destroyed.
class ConnectionSlot {
  public:
    ConnectionSlot() = default;
    explicit ConnectionSlot(std::shared_ptr<std::atomic<std::size_t>> count) noexcept
        : count_(std::move(count)) {}
    ConnectionSlot(ConnectionSlot&&) noexcept = default;
    ConnectionSlot& operator=(ConnectionSlot&& other) noexcept {
        release();
        count_ = std::move(other.count_);
        return *this;
    }
    ~ConnectionSlot() { release(); }

  private:
    void release() noexcept {
        if (count_) count_->fetch_sub(1, std::memory_order_relaxed);
        count_.reset();
    }
    std::shared_ptr<std::atomic<std::size_t>> count_;
};

// Every connection runs on a strand of its own. These types name that strand concretely: each of
// a session's operations dispatches its handler through it directly, not through the
// type-erased any_io_executor (an indirect call and a copy of the executor per operation).
using ConnectionExecutor = boost::asio::strand<boost::asio::io_context::executor_type>;
using ConnectionSocket = boost::asio::basic_stream_socket<boost::asio::ip::tcp, ConnectionExecutor>;
using ConnectionStream = boost::beast::basic_stream<boost::asio::ip::tcp, ConnectionExecutor>;

struct ListenerOptions {
    std::size_t max_connections = 10'000;
    std::string busy_answer;  // written (best effort) to a connection over the limit
};

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    using OnAccept = std::function<void(ConnectionSocket&&, ConnectionSlot)>;

    // Binds and listens at once (so that port() is known, also for port 0).
    Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             ListenerOptions options, RequestMetrics& metrics, OnAccept on_accept);

    void start();
    void stop();  // closes the acceptor; sessions already running go on
    unsigned short port() const;

  private:
    void do_accept();
    void on_accept(boost::system::error_code ec, ConnectionSocket socket);
    void refuse(ConnectionSocket& socket);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer backoff_;
    ListenerOptions options_;
    RequestMetrics& metrics_;
    OnAccept on_accept_;
    std::shared_ptr<std::atomic<std::size_t>> active_ =
        std::make_shared<std::atomic<std::size_t>>(0);
};

}  // namespace xtrader::api
