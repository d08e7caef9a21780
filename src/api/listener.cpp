#include "xtrader/api/listener.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace xtrader::api {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
// How long accepting pauses when the process is out of descriptors: long enough for sessions to
// end and give theirs back, short enough that nobody waits noticeably once they have.
constexpr auto kDescriptorBackoff = std::chrono::milliseconds(100);
}  // namespace

Listener::Listener(net::io_context& io, const tcp::endpoint& endpoint, ListenerOptions options,
                   RequestMetrics& metrics, OnAccept on_accept)
    : io_(io),
      acceptor_(net::make_strand(io)),
      backoff_(acceptor_.get_executor()),
      options_(std::move(options)),
      metrics_(metrics),
      on_accept_(std::move(on_accept)) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
}

void Listener::start() {
    net::dispatch(acceptor_.get_executor(), [self = shared_from_this()] { self->do_accept(); });
}

void Listener::stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
        boost::system::error_code ignored;
        self->acceptor_.close(ignored);
        self->backoff_.cancel();
    });
}

unsigned short Listener::port() const {
    return acceptor_.local_endpoint().port();
}

void Listener::do_accept() {
    acceptor_.async_accept(
        net::make_strand(io_),
        [self = shared_from_this()](boost::system::error_code ec, ConnectionSocket socket) {
            self->on_accept(ec, std::move(socket));
        });
}

void Listener::on_accept(boost::system::error_code ec, ConnectionSocket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec == net::error::no_descriptors || ec == net::error::no_buffer_space ||
        ec == net::error::no_memory || ec.value() == ENFILE) {
        // Retrying at once would spin: the pending connection stays in the backlog and the
        // same error comes straight back until a descriptor is free.
        metrics_.count(EdgeEvent::AcceptBackoff);
        spdlog::warn("accept: {}; pausing {} ms", ec.message(), kDescriptorBackoff.count());
        backoff_.expires_after(kDescriptorBackoff);
        backoff_.async_wait([self = shared_from_this()](boost::system::error_code wait) {
            if (!wait) self->do_accept();
        });
        return;
    }
    if (ec) {
        spdlog::debug("accept: {}", ec.message());
    } else if (active_->fetch_add(1, std::memory_order_relaxed) >= options_.max_connections) {
        active_->fetch_sub(1, std::memory_order_relaxed);
        refuse(socket);
    } else {
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        on_accept_(std::move(socket), ConnectionSlot(active_));
    }
    do_accept();
}

// Over the limit: a short answer that fits any fresh socket's send buffer, written without
// waiting, then the connection is closed.
void Listener::refuse(ConnectionSocket& socket) {
    metrics_.count(EdgeEvent::ConnectionRefused);
    boost::system::error_code ignored;
    if (!options_.busy_answer.empty()) {
        socket.non_blocking(true, ignored);
        socket.write_some(net::buffer(options_.busy_answer), ignored);
    }
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

}  // namespace xtrader::api
