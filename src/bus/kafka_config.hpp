// librdkafka's configuration calls, shared by the producer and the consumer (private to bus).
#pragma once

#include <librdkafka/rdkafka.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include "xtrader/bus/kafka_producer.hpp"

namespace xtrader::kafka {

inline std::string error_text(rd_kafka_resp_err_t err) {
    return rd_kafka_err2str(err);
}

// Sets one property; destroys `conf` and throws KafkaError when librdkafka refuses it.
inline void set(rd_kafka_conf_t* conf, const char* name, const std::string& value) {
    char error[512];
    if (rd_kafka_conf_set(conf, name, value.c_str(), error, sizeof error) != RD_KAFKA_CONF_OK) {
        rd_kafka_conf_destroy(conf);
        throw KafkaError(std::string("kafka ") + name + ": " + error);
    }
}

// Whether the cluster answers a metadata request on `rk` within `timeout`.
inline bool cluster_answers(rd_kafka_t* rk, std::chrono::milliseconds timeout) {
    const rd_kafka_metadata_t* metadata = nullptr;
    const auto err =
        rd_kafka_metadata(rk, 0, nullptr, &metadata, static_cast<int>(timeout.count()));
    if (metadata != nullptr) rd_kafka_metadata_destroy(metadata);
    return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

// librdkafka's own threads (its main thread and one per broker) run at this nice value: they are
// background work, and under CPU contention the sequencer's threads go first.
inline constexpr int kThreadNice = 10;

inline rd_kafka_resp_err_t lower_priority(rd_kafka_t*, rd_kafka_thread_type_t, const char*, void*) {
    ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), kThreadNice);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

inline rd_kafka_resp_err_t add_lower_priority(rd_kafka_t* rk, const rd_kafka_conf_t*, void*, char*,
                                              std::size_t) {
    return rd_kafka_interceptor_add_on_thread_start(rk, "xtrader-nice", lower_priority, nullptr);
}

// Has every thread librdkafka starts for a handle made from `conf` lower its priority.
inline void run_threads_in_background(rd_kafka_conf_t* conf) {
    rd_kafka_conf_interceptor_add_on_new(conf, "xtrader-nice", add_lower_priority, nullptr);
}

}  // namespace xtrader::kafka
