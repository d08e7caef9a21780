// One AMQP 0-9-1 connection to RabbitMQ (rabbitmq-c, blocking) with one channel, as the
// notification pipeline needs it: declare a topic exchange, publish with publisher confirms and
// wait for them over a window of outstanding messages. Opened on first use and again after a
// failure; any failure closes it and throws RabbitMqError. Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

struct amqp_connection_state_t_;

namespace xtrader {

struct RabbitMqEndpoint {
    std::string host = "127.0.0.1";
    int port = 5672;
    std::string user = "guest";
    std::string password = "guest";
    std::string vhost = "/";
    // For connecting, each RPC and each wait for a confirm.
    std::chrono::milliseconds timeout{5000};
};

// amqp://USER:PASSWORD@HOST:PORT/VHOST (user, password, port and vhost optional; the vhost
// percent-encoded, "%2f" for "/", the default). nullopt, with `error` saying why, otherwise.
std::optional<RabbitMqEndpoint> parse_amqp_url(std::string_view url, std::string& error);

class RabbitMqError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class RabbitMqConnection {
  public:
    explicit RabbitMqConnection(RabbitMqEndpoint endpoint);
    ~RabbitMqConnection();
    RabbitMqConnection(const RabbitMqConnection&) = delete;
    RabbitMqConnection& operator=(const RabbitMqConnection&) = delete;

    // Connects, logs in and opens the channel with publisher confirms on, unless open already.
    void open();
    bool is_open() const noexcept { return state_ != nullptr; }
    void close() noexcept;

    // A durable exchange of `type` (topic, direct, fanout); declaring it again is harmless.
    void declare_exchange(std::string_view name, std::string_view type);
    // Publishes a transient message and returns its delivery tag (1, 2, ... per connection).
    std::uint64_t publish(std::string_view exchange, std::string_view routing_key,
                          std::string_view body);
    // Messages published and not confirmed yet.
    std::uint64_t outstanding() const noexcept {
        return published_ - confirmed_ - confirmed_after_.size();
    }
    // Reads the broker's confirms until at most `left` messages are outstanding. Throws when
    // the broker nacks one, the connection fails or no confirm comes within the timeout.
    void wait_confirms(std::uint64_t left = 0);

  private:
    [[noreturn]] void fail(const std::string& what);
    void check_rpc(const char* what);

    RabbitMqEndpoint endpoint_;
    ::amqp_connection_state_t_* state_ = nullptr;
    std::uint64_t published_ = 0;
    std::uint64_t confirmed_ = 0;              // every tag up to this one is confirmed
    std::set<std::uint64_t> confirmed_after_;  // single confirms beyond it
};

}  // namespace xtrader
