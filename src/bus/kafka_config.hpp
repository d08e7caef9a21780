// librdkafka's configuration calls, shared by the producer and the consumer (private to bus).
#pragma once

#include <librdkafka/rdkafka.h>

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

}  // namespace xtrader::kafka
