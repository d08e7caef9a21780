#include "xtrader/bus/redis_connection.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <vector>

namespace xtrader {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{static_cast<time_t>(ms.count() / 1000),
                   static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}

}  // namespace

void RedisReplyDeleter::operator()(redisReply* reply) const noexcept {
    freeReplyObject(reply);
}

std::string_view reply_text(const redisReply& reply) noexcept {
    if (reply.str == nullptr) return {};
    return {reply.str, reply.len};
}

bool is_error(const redisReply& reply) noexcept {
    return reply.type == REDIS_REPLY_ERROR;
}

RedisConnection::RedisConnection(RedisEndpoint endpoint) : endpoint_(std::move(endpoint)) {}

RedisConnection::~RedisConnection() {
    reset();
}

void RedisConnection::reset() noexcept {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
}

void RedisConnection::fail(const char* what) {
    std::string message =
        std::string("redis ") + endpoint_.host + ":" + std::to_string(endpoint_.port) + ": " + what;
    if (context_ != nullptr && context_->errstr[0] != '\0') {
        message += ": ";
        message += context_->errstr;
    }
    reset();
    throw RedisError(message);
}

redisContext* RedisConnection::context() {
    if (context_ != nullptr) return context_;
    const timeval timeout = to_timeval(endpoint_.timeout);
    context_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, timeout);
    if (context_ == nullptr) throw RedisError("redis: out of memory");
    if (context_->err != 0) fail("cannot connect");
    if (redisSetTimeout(context_, timeout) != REDIS_OK) fail("cannot set the timeout");
    return context_;
}

namespace {

struct Argv {
    std::vector<const char*> data;
    std::vector<size_t> lengths;
    explicit Argv(std::span<const std::string_view> args) {
        data.reserve(args.size());
        lengths.reserve(args.size());
        for (const auto arg : args) {
            data.push_back(arg.data());
            lengths.push_back(arg.size());
        }
    }
};

}  // namespace

RedisReply RedisConnection::command(std::span<const std::string_view> args) {
    append(args);
    return reply();
}

void RedisConnection::append(std::span<const std::string_view> args) {
    Argv argv(args);
    if (redisAppendCommandArgv(context(), static_cast<int>(args.size()), argv.data.data(),
                               argv.lengths.data()) != REDIS_OK) {
        fail("cannot queue a command");
    }
}

void RedisConnection::append_formatted(std::string_view resp) {
    if (redisAppendFormattedCommand(context(), resp.data(), resp.size()) != REDIS_OK) {
        fail("cannot queue commands");
    }
}

void RedisConnection::flush() {
    int done = 0;
    while (done == 0) {
        if (redisBufferWrite(context(), &done) != REDIS_OK) fail("cannot write");
    }
}

void append_command(std::string& out, std::span<const std::string_view> args) {
    const auto header = [&out](char kind, std::size_t n) {
        out += kind;
        char digits[24];
        const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
        out.append(digits, end);
        out += "\r\n";
    };
    header('*', args.size());
    for (const auto arg : args) {
        header('$', arg.size());
        out += arg;
        out += "\r\n";
    }
}

RedisReply RedisConnection::reply() {
    void* raw = nullptr;
    if (redisGetReply(context(), &raw) != REDIS_OK || raw == nullptr) fail("no reply");
    return RedisReply(static_cast<redisReply*>(raw));
}

}  // namespace xtrader
