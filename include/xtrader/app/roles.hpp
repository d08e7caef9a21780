// What an xtraderd process can be (--role): each runs until SIGINT / SIGTERM, stops in order and
// returns the process's exit code.
#pragma once

#include <boost/asio/io_context.hpp>
#include <string_view>

#include "xtrader/api/status_server.hpp"
#include "xtrader/app/config.hpp"

namespace xtrader::app {

// The exchange: recovery, the sequencer, the journal followers, the broker publishers that are
// configured, and the REST and WebSocket servers.
int run_exchange(const Config& config);

// One consumer of the persistence pipeline (Redis stream -> PostgreSQL), scaled out into a
// process of its own.
int run_persister(const Config& config);

// One member of the mdp-group (Kafka market-data -> the Redis market-data cache), scaled out into
// a process of its own: the group spreads the topic's partitions over such processes.
int run_mdp(const Config& config);

// One WebSocket gateway: its own RabbitMQ queue feeding a market-data mirror and the accounts'
// order updates to the WebSocket clients of --ws-port, behind a load balancer.
int run_ws_gateway(const Config& config);

// One member of a surveillance consumer group (--group regulatory | analytics), scaled out into a
// process of its own.
int run_surveillance(const Config& config);
// A surveillance group member's options from the configuration (Kafka and PostgreSQL set).
SurveillanceMemberOptions surveillance_member(const Config& config, SurveillanceGroup group);

// Sockets are descriptors: takes every one the hard limit allows (the soft limit is often 1024).
void raise_descriptor_limit();

// The io threads a server role runs: io_threads, or one per hardware thread.
unsigned io_threads(const Config& config);
// Runs `io` on `threads` threads named `name`, the caller's among them, until it stops.
void run_io(boost::asio::io_context& io, unsigned threads, std::string_view name = "io");

// Blocks the calling thread until SIGINT or SIGTERM, the roles whose work runs on threads of
// their own; serves their status pages on server.status_port meanwhile (none when it is 0).
void serve_status_until_stopped(const Config& config, api::StatusPages pages);

}  // namespace xtrader::app
