#include "xtrader/bus/kafka_consumer.hpp"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include "kafka_config.hpp"

namespace xtrader {

namespace {

// The figures of lag() are refreshed this often, from the polling thread.
constexpr std::chrono::milliseconds kLagRefresh{500};
// A rebalance waits on these two questions to the cluster, which has just answered the join.
constexpr int kAssignQueryTimeout = 5000;

}  // namespace

struct KafkaConsumer::Handle {
    rd_kafka_t* rk = nullptr;
    bool closed = false;
    RebalanceListener* listener = nullptr;
    std::string commit_failure;  // of an asynchronous commit, reported by the next poll
    std::uint64_t commits_acknowledged = 0;

    Handle(const KafkaConsumerOptions& o, RebalanceListener* l) : listener(l) {
        rd_kafka_conf_t* conf = rd_kafka_conf_new();
        kafka::set(conf, "bootstrap.servers", o.brokers);
        kafka::set(conf, "group.id", o.group);
        // Which process holds which partition shows in the group's description.
        kafka::set(conf, "client.id", "xtraderd-" + std::to_string(::getpid()));
        // Offsets are committed by commit(), after the batch is processed.
        kafka::set(conf, "enable.auto.commit", "false");
        kafka::set(conf, "auto.offset.reset", "earliest");
        kafka::set(conf, "fetch.wait.max.ms", std::to_string(o.fetch_wait.count()));
        // A member that dies is noticed by the group after this long; its partitions move.
        kafka::set(conf, "session.timeout.ms", "10000");
        kafka::set(conf, "heartbeat.interval.ms", "1000");
        kafka::set(conf, "log_level", "3");
        kafka::run_threads_in_background(conf);
        // Called from poll, on the polling thread.
        rd_kafka_conf_set_offset_commit_cb(
            conf, [](rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t*,
                     void* opaque) {
                auto* self = static_cast<Handle*>(opaque);
                if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                    ++self->commits_acknowledged;
                } else if (err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
                    self->commit_failure = "commit: " + kafka::error_text(err);
                }
            });
        // The eager protocol: a rebalance takes every partition away, then assigns anew.
        rd_kafka_conf_set_rebalance_cb(
            conf, [](rd_kafka_t* handle, rd_kafka_resp_err_t err,
                     rd_kafka_topic_partition_list_t* partitions, void* opaque) {
                auto* self = static_cast<Handle*>(opaque);
                if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
                    if (self->listener != nullptr) self->assigning(partitions);
                    rd_kafka_assign(handle, partitions);
                } else {
                    if (self->listener != nullptr) self->listener->on_revoking();
                    rd_kafka_assign(handle, nullptr);
                }
            });
        rd_kafka_conf_set_opaque(conf, this);
        char error[512];
        rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, error, sizeof error);
        if (rk == nullptr) {
            rd_kafka_conf_destroy(conf);
            throw KafkaError(std::string("kafka consumer: ") + error);
        }
        rd_kafka_poll_set_consumer(rk);
    }
    ~Handle() {
        if (!closed) rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    // Tells the listener what comes, with each partition's low watermark and its topic's size,
    // and takes the starts it sets.
    void assigning(rd_kafka_topic_partition_list_t* partitions) {
        std::vector<KafkaAssignment> assignments;
        assignments.reserve(static_cast<std::size_t>(partitions->cnt));
        for (int i = 0; i < partitions->cnt; ++i) {
            const auto& p = partitions->elems[i];
            KafkaAssignment a{p.topic, p.partition};
            std::int64_t high = 0;
            if (rd_kafka_query_watermark_offsets(rk, p.topic, p.partition, &a.low, &high,
                                                 kAssignQueryTimeout) !=
                RD_KAFKA_RESP_ERR_NO_ERROR) {
                a.low = 0;
            }
            a.partition_count = partition_count(p.topic);
            assignments.push_back(std::move(a));
        }
        rd_kafka_topic_partition_list_t* committed = rd_kafka_topic_partition_list_copy(partitions);
        if (rd_kafka_committed(rk, committed, kAssignQueryTimeout) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < committed->cnt; ++i) {
                assignments[static_cast<std::size_t>(i)].committed = committed->elems[i].offset;
            }
        }
        rd_kafka_topic_partition_list_destroy(committed);
        listener->on_assigned(assignments);
        rewind(assignments);
        for (int i = 0; i < partitions->cnt; ++i) {
            partitions->elems[i].offset = assignments[static_cast<std::size_t>(i)].start;
        }
    }

    // The starts of the partitions the listener asked to rewind to a time.
    void rewind(std::vector<KafkaAssignment>& assignments) {
        rd_kafka_topic_partition_list_t* times = rd_kafka_topic_partition_list_new(1);
        for (const auto& a : assignments) {
            if (a.rewind_to_ms <= 0 || a.committed < 0 || a.start != KafkaAssignment::kCommitted) {
                continue;
            }
            rd_kafka_topic_partition_list_add(times, a.topic.c_str(), a.partition)->offset =
                a.rewind_to_ms;
        }
        if (times->cnt > 0 && rd_kafka_offsets_for_times(rk, times, kAssignQueryTimeout) ==
                                  RD_KAFKA_RESP_ERR_NO_ERROR) {
            for (int i = 0; i < times->cnt; ++i) {
                const auto& t = times->elems[i];
                for (auto& a : assignments) {
                    if (a.topic != t.topic || a.partition != t.partition) continue;
                    // -1: nothing at or after the time; the committed offset is as early.
                    if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR && t.offset >= 0 &&
                        t.offset < a.committed) {
                        a.start = t.offset;
                        spdlog::info(
                            "kafka: {} partition {} read again from offset {}, {} before "
                            "the committed offset",
                            a.topic, a.partition, a.start, a.committed - a.start);
                    }
                }
            }
        }
        rd_kafka_topic_partition_list_destroy(times);
    }

    std::int32_t partition_count(const char* topic) {
        rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic, nullptr);
        const rd_kafka_metadata_t* metadata = nullptr;
        std::int32_t count = 0;
        if (rd_kafka_metadata(rk, 0, handle, &metadata, kAssignQueryTimeout) ==
                RD_KAFKA_RESP_ERR_NO_ERROR &&
            metadata->topic_cnt == 1) {
            count = metadata->topics[0].partition_cnt;
        }
        if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
        rd_kafka_topic_destroy(handle);
        return count;
    }
};

std::int32_t kafka_partition_of(std::string_view key, std::int32_t partitions) {
    return rd_kafka_msg_partitioner_consistent(nullptr, key.data(), key.size(), partitions, nullptr,
                                               nullptr);
}

KafkaConsumer::KafkaConsumer(KafkaConsumerOptions options, RebalanceListener* listener)
    : handle_(std::make_unique<Handle>(options, listener)) {}

KafkaConsumer::~KafkaConsumer() = default;

void KafkaConsumer::subscribe(const std::vector<std::string>& topics) {
    auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
    for (const auto& topic : topics) {
        rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
    }
    const auto err = rd_kafka_subscribe(handle_->rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw KafkaError("kafka subscribe: " + kafka::error_text(err));
    }
}

std::size_t KafkaConsumer::poll(std::size_t max, std::chrono::milliseconds timeout,
                                const std::function<void(const KafkaRecord&)>& handle,
                                std::string& error) {
    error.clear();
    std::size_t count = 0;
    int wait = static_cast<int>(timeout.count());
    while (count < max) {
        rd_kafka_message_t* m = rd_kafka_consumer_poll(handle_->rk, wait);
        if (m == nullptr) break;
        wait = 0;  // the first message came: take what is already fetched, no more waiting
        if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            error = rd_kafka_message_errstr(m);
            rd_kafka_message_destroy(m);
            break;
        }
        const KafkaRecord record{
            rd_kafka_topic_name(m->rkt),
            m->partition,
            m->offset,
            {static_cast<const char*>(m->key), m->key != nullptr ? m->key_len : 0},
            {static_cast<const char*>(m->payload), m->payload != nullptr ? m->len : 0}};
        try {
            handle(record);
        } catch (...) {
            rd_kafka_message_destroy(m);
            throw;
        }
        rd_kafka_message_destroy(m);
        ++count;
    }
    if (!handle_->commit_failure.empty() && error.empty()) {
        error = std::exchange(handle_->commit_failure, {});
    }
    update_lag();
    return count;
}

void KafkaConsumer::commit() {
    const auto err = rd_kafka_commit(handle_->rk, nullptr, 1);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    throw KafkaError("kafka commit: " + kafka::error_text(err));
}

void KafkaConsumer::commit_and_wait() {
    const auto err = rd_kafka_commit(handle_->rk, nullptr, 0);
    // Nothing consumed since the last commit is not a failure.
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR || err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;
    throw KafkaError("kafka commit: " + kafka::error_text(err));
}

void KafkaConsumer::close() {
    if (std::exchange(handle_->closed, true)) return;
    rd_kafka_consumer_close(handle_->rk);
}

void KafkaConsumer::update_lag() {
    const auto now = std::chrono::steady_clock::now();
    if (now - lag_updated_ < kLagRefresh) return;
    lag_updated_ = now;
    std::vector<KafkaPartitionLag> figures;
    rd_kafka_topic_partition_list_t* assigned = nullptr;
    if (rd_kafka_assignment(handle_->rk, &assigned) == RD_KAFKA_RESP_ERR_NO_ERROR) {
        rd_kafka_position(handle_->rk, assigned);
        for (int i = 0; i < assigned->cnt; ++i) {
            const auto& p = assigned->elems[i];
            std::int64_t low = 0;
            std::int64_t high = 0;
            rd_kafka_get_watermark_offsets(handle_->rk, p.topic, p.partition, &low, &high);
            // A partition not read from yet has no position: it is at its start.
            const std::int64_t position = p.offset >= 0 ? p.offset : low;
            figures.push_back({p.topic, p.partition, position, high});
        }
        rd_kafka_topic_partition_list_destroy(assigned);
    }
    std::lock_guard lock(lag_mutex_);
    lag_ = std::move(figures);
}

bool KafkaConsumer::reachable(std::chrono::milliseconds timeout) {
    return kafka::cluster_answers(handle_->rk, timeout);
}

std::uint64_t KafkaConsumer::commits_acknowledged() const {
    return handle_->commits_acknowledged;
}

bool KafkaConsumer::assigned() const {
    std::lock_guard lock(lag_mutex_);
    return !lag_.empty();
}

std::vector<KafkaPartitionLag> KafkaConsumer::lag() const {
    std::lock_guard lock(lag_mutex_);
    return lag_;
}

}  // namespace xtrader
