// The market-data cache in Redis (the MDP's cache): each market's candles of every interval, its
// recent trades, its L2 book and how far it has applied the topic, written by an mdp-group member
// after each batch in one MULTI/EXEC, so that a restarted member, a member taking over a
// partition, or a WebSocket gateway starts from it without replaying history.
//
// Every write is idempotent (sorted sets by open time and exec id, hashes by price), so a batch
// written again after a lost reply changes nothing. Keys, SYM being the market's symbol; every
// number an integer in the market's units:
// (PREFIX, default xtrader:md, is a setting: two exchanges can share one Redis):
//   PREFIX:SYM:candles:INTERVAL  sorted set; score: open time in minutes since the epoch;
//                                    member "open_time_ns open high low close volume trades"
//   PREFIX:SYM:trades                sorted set; score: exec id; the last MarketData::kTradesKept;
//                                    member "exec_id price quantity taker_side(0 buy, 1 sell)
//                                    time_ns sequence"
//   PREFIX:SYM:bids, :asks     hash; field: price; value "volume order_count"
//   PREFIX:SYM:state                 hash: last_exec_id, book_sequence, book_version, last
//   PREFIX:offsets:TOPIC             hash; field: partition; value: the next offset to read
//
// The offsets are written with the market data they brought, so the cache knows where it stands
// in the topic whatever the group has committed: a member reads a partition from the cache's
// offset, and a partition the cache has no offset for is rebuilt (MarketDataSink).
//
// Threads: one (the member's).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "xtrader/bus/redis_connection.hpp"
#include "xtrader/consumers/market_data.hpp"

namespace xtrader {

// What one batch changed in one market, as the sink saw it applied.
struct MarketChanges {
    MarketId market = 0;
    std::vector<PublicTrade> trades;  // in the order applied
    std::vector<BookDelta> book;      // in the order applied
};

// Where the cache stands in one partition of the topic.
struct PartitionOffset {
    std::int32_t partition = 0;
    std::int64_t next = 0;  // the next offset to read
};

class MarketDataCache {
  public:
    MarketDataCache(const MarketCatalog& catalog, RedisEndpoint endpoint, std::string prefix);

    // Writes what `changes` touched, as `data` has it now, and the offsets of `topic` that
    // brought them, in one MULTI/EXEC. Throws RedisError (or std::runtime_error for an error
    // reply) having changed nothing.
    void write(const MarketData& data, const std::vector<MarketChanges>& changes,
               std::string_view topic, const std::vector<PartitionOffset>& offsets);
    // The market as the cache holds it; nullopt when it holds nothing of it.
    std::optional<MarketSnapshot> read(MarketId market);
    // Only how far it is applied (one round trip).
    std::optional<AppliedMark> applied(MarketId market);
    // The offsets of `topic` the cache has, by partition.
    std::vector<PartitionOffset> offsets(std::string_view topic);
    // Drops what the cache holds of `market` (before it is rebuilt).
    void clear(MarketId market);

  private:
    std::string key(MarketId market, std::string_view what) const;

    const MarketCatalog& catalog_;
    RedisConnection redis_;
    std::string prefix_;
    std::string pipeline_;  // reused
};

}  // namespace xtrader
