#include "xtrader/bus/kafka_producer.hpp"

#include "kafka_config.hpp"

namespace xtrader {

using kafka::error_text;
using kafka::set;

std::string_view to_string(KafkaCompression compression) noexcept {
    switch (compression) {
        case KafkaCompression::None: return "none";
        case KafkaCompression::Lz4: return "lz4";
        case KafkaCompression::Zstd: return "zstd";
    }
    return "none";
}

KafkaCompression parse_kafka_compression(std::string_view name) {
    for (const auto c : {KafkaCompression::None, KafkaCompression::Lz4, KafkaCompression::Zstd}) {
        if (name == to_string(c)) return c;
    }
    throw KafkaError("compression: \"" + std::string(name) + "\" is not none, lz4 or zstd");
}

// The librdkafka handle and what its delivery reports have said since the last flush.
struct KafkaProducer::Handle {
    rd_kafka_t* rk = nullptr;
    std::size_t failed = 0;
    std::string first_failure;

    explicit Handle(const KafkaProducerOptions& o) {
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        set(conf, "bootstrap.servers", o.brokers);
        // Exactly once and in order per partition while librdkafka retries on its own.
        set(conf, "enable.idempotence", "true");
        set(conf, "acks", "all");
        // Consumers find a key's partition with kafka_partition_of(): the same CRC32.
        set(conf, "partitioner", "consistent_random");
        set(conf, "linger.ms", std::to_string(o.linger.count()));
        set(conf, "batch.size", std::to_string(o.batch_bytes));
        set(conf, "compression.codec", std::string(to_string(o.compression)));
        set(conf, "message.timeout.ms", std::to_string(o.delivery_timeout.count()));
        set(conf, "queue.buffering.max.messages", "1000000");
        set(conf, "log_level", "3");  // errors only: a broker that is down is reported by state
        kafka::run_threads_in_background(conf);
        rd_kafka_conf_set_dr_msg_cb(conf,
                                    [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
                                        auto* self = static_cast<Handle*>(opaque);
                                        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
                                        if (self->failed++ == 0)
                                            self->first_failure = error_text(m->err);
                                    });
        rd_kafka_conf_set_opaque(conf, this);
        char error[512];
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);
        if (rk == nullptr) {
            rd_kafka_conf_destroy(conf);
            throw KafkaError(std::string("kafka producer: ") + error);
        }
    }
    ~Handle() {
        rd_kafka_purge(rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_flush(rk, 0);
        rd_kafka_destroy(rk);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
};

KafkaProducer::KafkaProducer(KafkaProducerOptions options)
    : handle_(std::make_unique<Handle>(options)), options_(std::move(options)) {}

KafkaProducer::~KafkaProducer() = default;

void KafkaProducer::produce(const std::string& topic, std::string_view key,
                            std::string_view payload, std::span<const Header> headers) {
    for (;;) {
        // librdkafka owns the headers once the message is queued.
        rd_kafka_headers_t* list = nullptr;
        if (!headers.empty()) {
            list = rd_kafka_headers_new(headers.size());
            for (const auto& [name, value] : headers) {
                rd_kafka_header_add(list, name.data(), static_cast<ssize_t>(name.size()),
                                    value.data(), static_cast<ssize_t>(value.size()));
            }
        }
        const auto err = rd_kafka_producev(
            handle_->rk, RD_KAFKA_V_TOPIC(topic.c_str()),
            RD_KAFKA_V_KEY(const_cast<char*>(key.data()), key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(payload.data()), payload.size()),
            RD_KAFKA_V_HEADERS(list), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_END);
        if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
        if (list != nullptr) rd_kafka_headers_destroy(list);
        if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            throw KafkaError("produce to " + topic + ": " + error_text(err));
        }
        rd_kafka_poll(handle_->rk, 10);  // serves delivery reports, which make room
    }
}

void KafkaProducer::flush() {
    const auto err =
        rd_kafka_flush(handle_->rk, static_cast<int>(options_.delivery_timeout.count()));
    std::string failure;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = "not acknowledged within the delivery timeout";
    } else if (handle_->failed != 0) {
        failure =
            std::to_string(handle_->failed) + " messages refused (" + handle_->first_failure + ")";
    }
    handle_->failed = 0;
    handle_->first_failure.clear();
    if (failure.empty()) return;
    // The batch is produced again from the journal: drop what is left of this attempt.
    char fatal[512];
    if (rd_kafka_fatal_error(handle_->rk, fatal, sizeof fatal) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        handle_ = std::make_unique<Handle>(options_);  // an idempotence failure: a new producer
        failure += "; producer reset after: " + std::string(fatal);
    } else {
        rd_kafka_purge(handle_->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(handle_->rk, 0);
        handle_->failed = 0;
        handle_->first_failure.clear();
    }
    throw KafkaError("kafka: " + failure);
}

bool KafkaProducer::reachable(std::chrono::milliseconds timeout) {
    return kafka::cluster_answers(handle_->rk, timeout);
}

void KafkaProducer::create_topics(const std::vector<KafkaTopic>& topics,
                                  std::chrono::milliseconds timeout) {
    std::vector<rd_kafka_NewTopic_t*> requests;
    const auto release = [&] {
        for (auto* t : requests) rd_kafka_NewTopic_destroy(t);
    };
    for (const auto& topic : topics) {
        char error[512];
        auto* request = rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions,
                                              topic.replication, error, sizeof error);
        if (request == nullptr) {
            release();
            throw KafkaError("kafka topic " + topic.name + ": " + error);
        }
        requests.push_back(request);
    }
    rd_kafka_queue_t* queue = rd_kafka_queue_new(handle_->rk);
    rd_kafka_AdminOptions_t* admin =
        rd_kafka_AdminOptions_new(handle_->rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    char error[512];
    rd_kafka_AdminOptions_set_request_timeout(admin, static_cast<int>(timeout.count()), error,
                                              sizeof error);
    rd_kafka_CreateTopics(handle_->rk, requests.data(), requests.size(), admin, queue);
    rd_kafka_event_t* event = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
    std::string failure;
    if (event == nullptr) {
        failure = "the cluster did not answer";
    } else if (rd_kafka_event_error(event) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        failure = rd_kafka_event_error_string(event);
    } else {
        std::size_t count = 0;
        const auto* result = rd_kafka_event_CreateTopics_result(event);
        const auto** each = rd_kafka_CreateTopics_result_topics(result, &count);
        for (std::size_t i = 0; i < count && failure.empty(); ++i) {
            const auto err = rd_kafka_topic_result_error(each[i]);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR ||
                err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
                continue;
            }
            const char* why = rd_kafka_topic_result_error_string(each[i]);
            failure = std::string(rd_kafka_topic_result_name(each[i])) + ": " +
                      (why != nullptr ? why : error_text(err));
        }
    }
    if (event != nullptr) rd_kafka_event_destroy(event);
    rd_kafka_AdminOptions_destroy(admin);
    rd_kafka_queue_destroy(queue);
    release();
    if (!failure.empty()) throw KafkaError("kafka: creating topics: " + failure);
}

}  // namespace xtrader
