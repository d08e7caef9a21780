#include "xtrader/bus/redis_streams_publisher.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include "xtrader/bus/execution_codec.hpp"

namespace xtrader {

namespace {

// Redis' answer to an XADD whose explicit id is not above the stream's last one.
bool already_present(const redisReply& reply) {
    return reply_text(reply).find("equal or smaller") != std::string_view::npos;
}

}  // namespace

RedisStreamsPublisher::RedisStreamsPublisher(const MarketCatalog& catalog,
                                             RedisStreamsOptions options,
                                             std::filesystem::path cursor_path)
    : catalog_(catalog),
      options_(std::move(options)),
      max_length_(std::to_string(options_.max_length)),
      redis_(options_.endpoint),
      cursor_(std::move(cursor_path)),
      position_(cursor_.load()) {}

void RedisStreamsPublisher::consume(std::span<const JournalRecord> records) {
    // The batch in buffers of kChunk commands, each written as soon as it is full so that Redis
    // works on one while the next is encoded; then every reply, in order.
    constexpr std::size_t kChunk = 512;
    std::size_t pending = 0;
    commands_.clear();
    for (const auto& record : records) {
        std::uint64_t n = 0;
        for (const auto& event : record.events) {
            const auto* trade = std::get_if<Trade>(&event);
            if (trade == nullptr) continue;
            sequence_ = std::to_string(record.sequence);
            id_ = sequence_;
            id_ += '-';
            id_ += std::to_string(n++);
            data_.clear();
            encode_execution(catalog_, {record.sequence, to_millis(record.timestamp), *trade},
                             data_);
            const std::string_view args[] = {
                "XADD", options_.stream, "MAXLEN",  "~",    max_length_,
                id_,    "seq",           sequence_, "data", data_};
            append_command(commands_, args);
            if (++pending % kChunk == 0) {
                redis_.append_formatted(commands_);
                redis_.flush();
                commands_.clear();
            }
        }
    }
    if (!commands_.empty()) redis_.append_formatted(commands_);
    // Every reply is read, even after an error reply, so the connection stays in step.
    std::string refused;
    std::size_t replayed = 0;
    for (; pending > 0; --pending) {
        const auto reply = redis_.reply();
        if (!is_error(*reply)) continue;
        if (already_present(*reply)) {
            ++replayed;
        } else if (refused.empty()) {
            refused = reply_text(*reply);
        }
    }
    if (replayed != 0) {
        spdlog::info("redis-streams: {} entries were in {} already (a replay after a restart)",
                     replayed, options_.stream);
    }
    if (!refused.empty()) throw RedisError("XADD " + options_.stream + ": " + refused);
    cursor_.store(records.back().sequence);
    position_ = records.back().sequence;
}

bool RedisStreamsPublisher::probe() {
    try {
        const auto reply = redis_.command({"PING"});
        return !is_error(*reply);
    } catch (const RedisError&) {
        return false;
    }
}

}  // namespace xtrader
