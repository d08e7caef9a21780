// Accepts TCP connections, each onto a strand of its own, and hands the sockets to a callback
// that starts a session (Beast's listener, shared by the HTTP and WebSocket servers).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>

namespace xtrader::api {

class Listener : public std::enable_shared_from_this<Listener> {
  public:
    using OnAccept = std::function<void(boost::asio::ip::tcp::socket&&)>;

    // Binds and listens at once (so that port() is known, also for port 0).
    Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             OnAccept on_accept);

    void start();
    void stop();  // closes the acceptor; sessions already running go on
    unsigned short port() const;

  private:
    void do_accept();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    OnAccept on_accept_;
};

}  // namespace xtrader::api
