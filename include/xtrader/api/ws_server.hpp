// The WebSocket server (port 7001), in the style of Beast's server examples: each connection on
// its own strand, `shared_from_this` lifetimes, one write in flight. Behind it wait the
// connection's own replies and, in each channel's log (WsHub), the messages encoded once for
// everyone, which the connection takes all at once when its write completes. A client too far
// behind is closed with 1008: a slow reader never slows the others. Idle connections are
// pinged; one silent past the timeout closes.
//
// ws://host:7001/ws takes {"op":"subscribe"|"unsubscribe","channels":[...]}, {"op":"auth",
// "api_key":..., "cancel_on_disconnect"?:bool}, {"op":"options","batch":bool} and {"op":"ping"};
// ws://host:7001/ws/executions is subscribed to every market's executions on connect. With
// ?batch=1 (or the options op) a connection gets each write as one frame: a JSON array of every
// message ready for it, gathered from the shared texts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "xtrader/api/authenticator.hpp"
#include "xtrader/api/listener.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/status_server.hpp"
#include "xtrader/api/ws_hub.hpp"
#include "xtrader/consumers/market_data.hpp"

namespace xtrader::api {

struct WsOptions {
    // How far a client may fall behind on a channel, and what its own replies and snapshots
    // may hold; beyond either bound it is closed with 1008. Past half the byte bound of its
    // replies the client's own messages are not read until they have drained.
    std::size_t send_queue_limit = 4096;     // messages
    std::size_t send_queue_bytes = 1 << 20;  // bytes
    std::size_t max_connections = 16'384;    // beyond them a connection is closed at once
    std::chrono::seconds idle_timeout{30};
    std::size_t message_limit = 16 * 1024;  // largest client message
    // The kernel's send buffer per connection (SO_SNDBUF), 0 for the OS default: what a client
    // may leave unread in the kernel before its messages wait in the send queue.
    std::size_t socket_send_buffer = 0;

    // The hub's bounds for the channels these sessions read.
    WsBacklog backlog() const noexcept { return {send_queue_limit, send_queue_bytes}; }
};

class WsServer {
  public:
    // The hub is shared with the sessions, which unregister from it when they end (possibly
    // after the server, when the io_context destroys them). A plain GET (no upgrade) is answered
    // from the status pages (a gateway's /health, /metrics); without them it is dropped.
    //
    // cancel_all: cancels an account's open orders, for connections authenticated with
    // cancel_on_disconnect when they end; called on an io thread. Without it (the gateways,
    // which have no sequencer) the option is refused.
    WsServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint,
             std::shared_ptr<WsHub> hub, const MarketCatalog& catalog,
             const MarketData& market_data, Authenticator& auth, RequestMetrics& metrics,
             WsOptions options, StatusPages status_pages = {},
             std::function<void(AccountId)> cancel_all = {});
    ~WsServer();

    void start();
    void stop();
    unsigned short port() const;
    // WebSocket clients connected.
    std::size_t clients() const noexcept;

  private:
    std::shared_ptr<const struct WsContext> context_;  // shared with the sessions
    std::shared_ptr<Listener> listener_;
};

}  // namespace xtrader::api
