// A member of a Kafka consumer group on librdkafka, as the pipeline consumers need it: poll a
// batch, process it, then commit the offsets after it (at-least-once: a crash between the two
// brings the batch again, and the consumers drop what they applied by `sequence`). Partitions
// are spread over the group's members by the broker and move when a member leaves.
//
// One thread polls and commits; lag() may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "xtrader/bus/kafka_producer.hpp"

namespace xtrader {

struct KafkaConsumerOptions {
    std::string brokers;  // bootstrap.servers
    std::string group;    // group.id
    // How long the broker holds a fetch for more data: the floor of the pipeline's latency.
    std::chrono::milliseconds fetch_wait{5};
};

// One consumed message; its views are valid during the handler call only.
struct KafkaRecord {
    std::string_view topic;
    std::int32_t partition = 0;
    std::int64_t offset = 0;
    std::string_view key;
    std::string_view payload;
};

// How far one assigned partition's member is behind the partition's end.
struct KafkaPartitionLag {
    std::string topic;
    std::int32_t partition = 0;
    std::int64_t position = 0;  // the next offset this member reads
    std::int64_t end = 0;       // the high watermark, as of the last fetch
    std::int64_t lag() const noexcept { return end > position ? end - position : 0; }
};

// One partition the group gives this member, and where the member starts reading it.
struct KafkaAssignment {
    static constexpr std::int64_t kCommitted = -1001;  // the group's committed offset
    static constexpr std::int64_t kBeginning = -2;     // the earliest offset the topic holds
    static constexpr std::int64_t kEnd = -1;           // what the topic gets from now on

    std::string topic;
    std::int32_t partition = 0;
    std::int32_t partition_count = 0;  // the topic's; 0 when the cluster did not say
    std::int64_t low = 0;              // the earliest offset the topic still holds
    std::int64_t committed = -1;       // the group's committed offset; < 0: none (or not known)
    // Set by the listener: kCommitted, kBeginning, kEnd or an offset.
    std::int64_t start = kCommitted;
    // Set by the listener (with start left at kCommitted): start at the first message at or
    // after this time (ms since the epoch) when it comes before the committed offset, so that a
    // consumer whose state is a window of recent messages reads that window again.
    std::int64_t rewind_to_ms = 0;
};

// What a member does when the group moves partitions; called on the polling thread, inside
// poll(). Before partitions are taken away the member makes what it applied durable and commits
// (the next owner starts after it); before new ones are read it reloads what it keeps of them
// and may say where each starts (a store that records its own offsets).
class RebalanceListener {
  public:
    virtual ~RebalanceListener() = default;
    virtual void on_revoking() = 0;
    virtual void on_assigned(std::vector<KafkaAssignment>& partitions) = 0;
};

// The partition that the producer's partitioner (consistent: CRC32 of the key, as librdkafka's
// default) gives `key` in a topic of `partitions` partitions.
std::int32_t kafka_partition_of(std::string_view key, std::int32_t partitions);

class KafkaConsumer {
  public:
    // listener: told of every rebalance (may be null).
    explicit KafkaConsumer(KafkaConsumerOptions options, RebalanceListener* listener = nullptr);
    ~KafkaConsumer();  // leaves the group
    KafkaConsumer(const KafkaConsumer&) = delete;
    KafkaConsumer& operator=(const KafkaConsumer&) = delete;

    // A group that has not committed offsets yet starts at the partitions' beginning.
    void subscribe(const std::vector<std::string>& topics);
    // Hands up to `max` messages to `handle`, waiting up to `timeout` for the first; returns how
    // many. A broker error is returned in `error` (empty when none) and the poll goes on: the
    // client reconnects by itself.
    std::size_t poll(std::size_t max, std::chrono::milliseconds timeout,
                     const std::function<void(const KafkaRecord&)>& handle, std::string& error);
    // Queues a commit of the offsets after every message polled so far and returns at once (the
    // poll loop never waits on the coordinator); a commit that fails is reported by a later
    // poll()'s error, and the next commit covers its offsets.
    void commit();
    // The same, waiting for the coordinator's answer: when stopping. Throws KafkaError.
    void commit_and_wait();
    // Commits the coordinator has acknowledged so far, as the polls have learnt (polling thread).
    std::uint64_t commits_acknowledged() const;
    // Leaves the group, committing nothing more: its partitions go to the other members.
    void close();
    // The assigned partitions' positions and ends, as of the last poll.
    std::vector<KafkaPartitionLag> lag() const;
    // Whether the group gave this member partitions, as of the last poll.
    bool assigned() const;
    // Whether the cluster answers a metadata request within `timeout` (the polling thread).
    bool reachable(std::chrono::milliseconds timeout);

  private:
    void update_lag();

    struct Handle;
    std::unique_ptr<Handle> handle_;
    mutable std::mutex lag_mutex_;
    std::vector<KafkaPartitionLag> lag_;
    std::chrono::steady_clock::time_point lag_updated_{};
};

}  // namespace xtrader
