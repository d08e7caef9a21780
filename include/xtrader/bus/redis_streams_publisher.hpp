// Publishes every execution in the journal to a Redis stream (XADD, pipelined per batch): the
// head of the persistence pipeline. A RecordConsumer for a JournalFollower, which supplies the
// batching, the health states and the replay.
//
// Each entry gets the explicit id <sequence>-<n> (n: the trade's index within its command), so
// a replay after an outage or a crash can never add an entry twice: Redis refuses an id at or
// below the stream's last one, and the publisher counts that refusal as already published. The
// cursor file moves only after Redis has answered every XADD of the batch.
#pragma once

#include <filesystem>

#include "xtrader/bus/cursor_file.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/redis_connection.hpp"
#include "xtrader/core/market.hpp"

namespace xtrader {

struct RedisStreamsOptions {
    RedisEndpoint endpoint;
    std::string stream = "executions";
    // XADD ... MAXLEN ~ max_length: the stream is a buffer in front of the consumers, not the
    // archive; it must stay longer than the consumers can fall behind.
    std::size_t max_length = 1'000'000;
};

class RedisStreamsPublisher final : public RecordConsumer {
  public:
    RedisStreamsPublisher(const MarketCatalog& catalog, RedisStreamsOptions options,
                          std::filesystem::path cursor_path);

    Sequence position() override { return position_; }
    // Throws RedisError (or std::system_error from the cursor file) to have the batch retried.
    void consume(std::span<const JournalRecord> records) override;
    bool probe() override;

  private:
    const MarketCatalog& catalog_;
    RedisStreamsOptions options_;
    std::string max_length_;
    RedisConnection redis_;
    CursorFile cursor_;
    Sequence position_;
    std::string commands_, id_, sequence_, data_;  // reused: no allocation per entry
};

}  // namespace xtrader
