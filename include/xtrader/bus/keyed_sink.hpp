// Where a publisher of keyed messages sends them and learns that the broker has them: a Kafka
// topic (the key is the message key, which picks the partition) or a RabbitMQ exchange (the
// routing key is a prefix and the key). One publisher, two brokers: the order-events outbox is
// published to both through this interface.
// Threads: one (the publisher's).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "xtrader/bus/kafka_producer.hpp"
#include "xtrader/bus/rabbitmq_connection.hpp"

namespace xtrader {

class KeyedSink {
  public:
    virtual ~KeyedSink() = default;
    // Throws (KafkaError, RabbitMqError) when the broker cannot take it.
    virtual void send(std::string_view key, std::string_view payload) = 0;
    // Returns once the broker has acknowledged everything sent; throws when it did not.
    virtual void flush() = 0;
    // Whether the broker answers, for the health probe of a publisher that failed.
    virtual bool reachable() = 0;
};

// Messages of one topic, acknowledged by all in-sync replicas (the producer's acks=all).
class KafkaTopicSink final : public KeyedSink {
  public:
    KafkaTopicSink(KafkaProducerOptions producer, std::string topic)
        : producer_(std::move(producer)), topic_(std::move(topic)) {}

    void send(std::string_view key, std::string_view payload) override {
        producer_.produce(topic_, key, payload);
    }
    void flush() override { producer_.flush(); }
    bool reachable() override { return producer_.reachable(std::chrono::milliseconds(2000)); }

  private:
    KafkaProducer producer_;
    std::string topic_;
};

// Persistent messages to a durable topic exchange with routing key PREFIX + key.
class RabbitMqExchangeSink final : public KeyedSink {
  public:
    RabbitMqExchangeSink(RabbitMqEndpoint endpoint, std::string exchange, std::string prefix,
                         std::size_t confirm_window)
        : exchange_(std::move(endpoint), std::move(exchange), confirm_window),
          prefix_(std::move(prefix)) {}

    void send(std::string_view key, std::string_view payload) override {
        routing_key_.assign(prefix_).append(key);
        exchange_.publish(routing_key_, payload, RabbitMqDelivery::Persistent);
    }
    void flush() override { exchange_.wait_confirms(); }
    bool reachable() override { return exchange_.reachable(); }

  private:
    RabbitMqExchange exchange_;
    std::string prefix_;
    std::string routing_key_;  // reused
};

}  // namespace xtrader
