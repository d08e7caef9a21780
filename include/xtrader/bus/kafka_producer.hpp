// A Kafka producer on librdkafka, as the journal's publishers need it: produce a batch, then wait
// until every message of it is acknowledged by the brokers (acks=all, idempotent), or learn that
// some were not. Topics are created through the admin API. One thread uses an instance.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xtrader {

class KafkaError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// How message batches are compressed on the wire (librdkafka's compression.codec).
enum class KafkaCompression : std::uint8_t {
    None,  // no compression: least CPU
    Lz4,   // the default: cheap, about halves JSON
    Zstd,  // the smallest messages, more CPU
};
std::string_view to_string(KafkaCompression compression) noexcept;
// nullopt-like: throws KafkaError for an unknown name.
KafkaCompression parse_kafka_compression(std::string_view name);

struct KafkaProducerOptions {
    std::string brokers;  // bootstrap.servers, "host:port[,host:port]"
    std::chrono::milliseconds linger{5};
    std::size_t batch_bytes = 1 << 20;
    KafkaCompression compression = KafkaCompression::Lz4;
    // How long a batch may wait for its acknowledgements before it counts as failed.
    std::chrono::milliseconds delivery_timeout{10'000};
};

struct KafkaTopic {
    std::string name;
    int partitions = 3;
    int replication = 1;
};

class KafkaProducer {
  public:
    explicit KafkaProducer(KafkaProducerOptions options);
    ~KafkaProducer();
    KafkaProducer(const KafkaProducer&) = delete;
    KafkaProducer& operator=(const KafkaProducer&) = delete;

    using Header = std::pair<std::string_view, std::string_view>;  // name, value
    // Queues one message (copied). Waits while librdkafka's local queue is full.
    void produce(const std::string& topic, std::string_view key, std::string_view payload,
                 std::span<const Header> headers = {});
    // Waits for the acknowledgement of everything produced since the last call. Throws
    // KafkaError, after dropping whatever is still queued, when a message was refused or the
    // delivery timeout passed: the caller produces the batch again.
    void flush();
    // Whether the cluster answers a metadata request within `timeout`.
    bool reachable(std::chrono::milliseconds timeout);
    // Creates the topics that do not exist yet. Throws KafkaError when the cluster refuses one
    // (a replication factor above its brokers, say) or does not answer within `timeout`.
    void create_topics(const std::vector<KafkaTopic>& topics, std::chrono::milliseconds timeout);

  private:
    struct Handle;
    std::unique_ptr<Handle> handle_;
    KafkaProducerOptions options_;
};

}  // namespace xtrader
