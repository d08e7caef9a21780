// One AMQP 0-9-1 connection to RabbitMQ (rabbitmq-c, blocking) with one channel, as the
// notification pipeline needs it: declare a topic exchange, publish with publisher confirms and
// wait for them over a window of outstanding messages; or declare a queue, consume it with
// manual acks and take its deliveries one by one. A connection does one or the other: a
// consumer's deliveries and a publisher's confirms would share one stream of frames. Opened on
// first use and again after a failure; any failure closes it and throws RabbitMqError. Not
// thread-safe: one per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

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

// Whether a message survives a broker restart (in a durable queue): transient for what a
// reader can resynchronise, persistent for what it cannot.
enum class RabbitMqDelivery : std::uint8_t { Transient = 1, Persistent = 2 };

struct RabbitMqQueueOptions {
    bool durable = true;
    std::chrono::milliseconds expires{0};      // x-expires: unused this long, deleted; 0 never
    std::chrono::milliseconds message_ttl{0};  // x-message-ttl; 0 none
    // Where a rejected (or expired) message goes: x-dead-letter-exchange ("" the default
    // exchange) and x-dead-letter-routing-key; nullopt: it is dropped.
    std::optional<std::string> dead_letter_exchange;
    std::string dead_letter_routing_key;
};

// One message taken from a queue; ack or reject it by its tag.
struct RabbitMqMessage {
    std::uint64_t delivery_tag = 0;
    // As published: a message dead-lettered back from a retry queue has it from its x-death.
    std::string routing_key;
    std::string body;
    std::string exchange;
    // How many times it was rejected before (the x-death header's count for "rejected").
    std::int64_t rejections = 0;
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
    using Header = std::pair<std::string_view, std::string_view>;  // name, text value
    // Publishes a message and returns its delivery tag (1, 2, ... per connection).
    std::uint64_t publish(std::string_view exchange, std::string_view routing_key,
                          std::string_view body,
                          RabbitMqDelivery delivery = RabbitMqDelivery::Transient,
                          std::span<const Header> headers = {});
    // Messages published and not confirmed yet.
    std::uint64_t outstanding() const noexcept {
        return published_ - confirmed_ - confirmed_after_.size();
    }
    // Reads the broker's confirms until at most `left` messages are outstanding. Throws when
    // the broker nacks one, the connection fails or no confirm comes within the timeout.
    void wait_confirms(std::uint64_t left = 0);

    // Declaring a queue again with the same options is harmless; with others the broker
    // refuses it (PRECONDITION_FAILED).
    void declare_queue(std::string_view name, const RabbitMqQueueOptions& options);
    void bind_queue(std::string_view queue, std::string_view exchange, std::string_view pattern);
    // The messages ready in a queue that exists (a passive declaration): not on a connection
    // that consumes, whose deliveries would come between.
    std::uint64_t queue_depth(std::string_view name);
    // Starts consuming with manual acks; at most `prefetch` messages unacknowledged at a time.
    void consume(std::string_view queue, std::uint16_t prefetch);
    // The next delivery, or nullopt when none came within `timeout`.
    std::optional<RabbitMqMessage> next(std::chrono::milliseconds timeout);
    // multiple: every delivery up to this one that is not settled yet.
    void ack(std::uint64_t delivery_tag, bool multiple = false);
    // Rejected without requeueing: to the queue's dead-letter exchange, if it has one.
    void reject(std::uint64_t delivery_tag);

  private:
    [[noreturn]] void fail(const std::string& what);
    void check_rpc(const char* what);

    RabbitMqEndpoint endpoint_;
    ::amqp_connection_state_t_* state_ = nullptr;
    std::uint64_t published_ = 0;
    std::uint64_t confirmed_ = 0;              // every tag up to this one is confirmed
    std::set<std::uint64_t> confirmed_after_;  // single confirms beyond it
};

// A durable topic exchange, published to with confirms over a window of outstanding messages:
// past `confirm_window` the publisher waits until half of them are confirmed. The connection
// and the exchange's declaration are made on first use and again after a failure.
class RabbitMqExchange {
  public:
    RabbitMqExchange(RabbitMqEndpoint endpoint, std::string name, std::size_t confirm_window);

    // Throws RabbitMqError.
    void publish(std::string_view routing_key, std::string_view body, RabbitMqDelivery delivery);
    // Returns once every message published is confirmed; throws when one is not.
    void wait_confirms() { connection_.wait_confirms(); }
    std::uint64_t outstanding() const noexcept { return connection_.outstanding(); }
    // Whether the broker takes a connection and the exchange's declaration.
    bool reachable();

  private:
    void connect();

    RabbitMqConnection connection_;
    std::string name_;
    std::size_t confirm_window_;
};

}  // namespace xtrader
