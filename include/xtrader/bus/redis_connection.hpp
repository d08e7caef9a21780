// One connection to Redis (hiredis, blocking), connected on first use and again after a failure.
// Commands are argument vectors, so nothing needs quoting. Not thread-safe: one per thread.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

struct redisContext;
struct redisReply;

namespace xtrader {

struct RedisEndpoint {
    std::string host = "127.0.0.1";
    int port = 6379;
    // For connecting and for every reply; a blocking read needs its BLOCK time on top.
    std::chrono::milliseconds timeout{2000};
};

// The connection failed or timed out (an error reply from Redis is a reply, not this).
class RedisError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct RedisReplyDeleter {
    void operator()(redisReply* reply) const noexcept;
};
using RedisReply = std::unique_ptr<redisReply, RedisReplyDeleter>;

class RedisConnection {
  public:
    explicit RedisConnection(RedisEndpoint endpoint);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    // Sends one command and waits for its reply.
    RedisReply command(std::span<const std::string_view> args);
    RedisReply command(std::initializer_list<std::string_view> args) {
        return command(std::span<const std::string_view>(args.begin(), args.size()));
    }
    // Pipelining: queue commands, then read their replies in order.
    void append(std::span<const std::string_view> args);
    // Queues commands already in RESP (append_command), as many as `resp` holds.
    void append_formatted(std::string_view resp);
    // Writes what is queued now, so that Redis works on it while more is prepared.
    void flush();
    RedisReply reply();

    // Drops the connection; the next command reconnects.
    void reset() noexcept;
    const RedisEndpoint& endpoint() const noexcept { return endpoint_; }

  private:
    redisContext* context();
    [[noreturn]] void fail(const char* what);

    RedisEndpoint endpoint_;
    redisContext* context_ = nullptr;
};

// Appends one command in RESP (an array of bulk strings) to `out`: a pipeline of commands built
// in one buffer, without an allocation per command.
void append_command(std::string& out, std::span<const std::string_view> args);

// Reply helpers: the text of a string / status / error reply, and whether it is an error.
std::string_view reply_text(const redisReply& reply) noexcept;
bool is_error(const redisReply& reply) noexcept;

}  // namespace xtrader
