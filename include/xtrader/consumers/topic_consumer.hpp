// A member of a Kafka consumer group that hands each message of its topics to a TopicSink: the
// pipeline consumers of full mode (mdp-group into market data, order-history into PostgreSQL,
// the surveillance groups).
// After each batch the sink makes its effects durable, then the offsets are committed
// (at-least-once); what a replay or a rebalance brings again the sink drops by `sequence`. A
// message the sink cannot read is logged with its partition and offset and produced, as it was,
// to its topic's dead-letter topic (<topic>.dlq) with the reason in its headers; it is never
// retried.
//
// Threads: one of its own, on which the sink is called. figures() from any thread.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/bus/kafka_consumer.hpp"
#include "xtrader/bus/kafka_producer.hpp"

namespace xtrader {

class TopicSink {
  public:
    virtual ~TopicSink() = default;
    // Reads and applies one message; false, with `error` saying why, when it cannot be read.
    virtual bool take(const KafkaRecord& record, std::string& error) = 0;
    // Makes what take() applied since the last call durable; throws to have it called again.
    virtual void flush() {}
    // Messages that brought nothing new.
    virtual std::uint64_t duplicates() const = 0;
    // The group gives this member `partitions`, before any is read: what the sink keeps of them
    // may be behind what another member applied since (a cache to reload), and the sink may set
    // where each starts (KafkaAssignment::start; the group's commit when left alone). Throws to
    // have it called again.
    virtual void on_assigned(std::vector<KafkaAssignment>& /*partitions*/) {}
};

struct TopicConsumerOptions {
    KafkaConsumerOptions consumer;
    std::vector<std::string> topics;
    std::size_t max_batch = 4096;
};

// What /metrics and the pipelines read-out show of a consumer group member.
struct ConsumerFigures {
    std::string group;
    // Partitions assigned and no broker error since the last batch went through.
    bool connected = false;
    std::uint64_t applied = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t dead_letters = 0;
    std::uint64_t failures = 0;  // broker and sink errors
    std::vector<KafkaPartitionLag> partitions;
};

class TopicConsumer final : private RebalanceListener {
  public:
    TopicConsumer(TopicConsumerOptions options, TopicSink& sink);
    ~TopicConsumer();
    TopicConsumer(const TopicConsumer&) = delete;
    TopicConsumer& operator=(const TopicConsumer&) = delete;

    void start();
    // Leaves the group after committing what was applied.
    void stop();

    ConsumerFigures figures() const;

  private:
    void on_revoking() override;
    void on_assigned(std::vector<KafkaAssignment>& partitions) override;
    void run();
    void take(const KafkaRecord& record);
    void dead_letter(const KafkaRecord& record, const std::string& reason);
    // The sink's flush, again after a pause until it succeeds or stop() is called.
    bool flush_sink();

    TopicConsumerOptions options_;
    TopicSink& sink_;
    KafkaConsumer consumer_;
    KafkaProducer dead_letter_producer_;
    std::size_t pending_dead_letters_ = 0;  // produced since the last flush
    std::atomic<bool> connected_{false};
    std::atomic<std::uint64_t> applied_{0};
    std::atomic<std::uint64_t> dead_letters_{0};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

}  // namespace xtrader
