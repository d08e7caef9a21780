#include "xtrader/consumers/topic_consumer.hpp"

#include <spdlog/fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "xtrader/core/thread_name.hpp"

namespace xtrader {

namespace {

constexpr std::chrono::milliseconds kPollWait{100};
constexpr std::chrono::milliseconds kRetryPause{500};
constexpr std::chrono::milliseconds kIdleProbe{1000};

}  // namespace

TopicConsumer::TopicConsumer(TopicConsumerOptions options, TopicSink& sink)
    : options_(std::move(options)),
      sink_(sink),
      consumer_(options_.consumer, this),
      dead_letter_producer_(KafkaProducerOptions{.brokers = options_.consumer.brokers}) {}

TopicConsumer::~TopicConsumer() {
    stop();
}

void TopicConsumer::start() {
    consumer_.subscribe(options_.topics);
    thread_ = std::thread([this] {
        name_this_thread(options_.consumer.group);
        run();
    });
}

void TopicConsumer::stop() {
    stopping_.store(true);
    if (!thread_.joinable()) return;
    thread_.join();
    consumer_.close();
}

void TopicConsumer::take(const KafkaRecord& record) {
    std::string error;
    if (!sink_.take(record, error)) {
        dead_letter(record, error);
        return;
    }
    applied_.fetch_add(1, std::memory_order_relaxed);
}

void TopicConsumer::dead_letter(const KafkaRecord& record, const std::string& reason) {
    const std::string dead_letters = std::string(record.topic) + ".dlq";
    spdlog::error("{}: {} partition {} offset {} unreadable ({}); moved to {}",
                  options_.consumer.group, record.topic, record.partition, record.offset, reason,
                  dead_letters);
    const std::string partition = std::to_string(record.partition);
    const std::string offset = std::to_string(record.offset);
    const KafkaProducer::Header headers[] = {{"error", reason},
                                             {"source_topic", record.topic},
                                             {"source_partition", partition},
                                             {"source_offset", offset}};
    dead_letter_producer_.produce(dead_letters, record.key, record.payload, headers);
    ++pending_dead_letters_;
    dead_letters_.fetch_add(1, std::memory_order_relaxed);
}

void TopicConsumer::on_revoking() {
    // The next owner starts after what is durable here and committed.
    try {
        if (!flush_sink()) return;
        if (std::exchange(pending_dead_letters_, 0) != 0) dead_letter_producer_.flush();
        consumer_.commit_and_wait();
    } catch (const KafkaError& e) {
        spdlog::warn(
            "{}: {} while giving partitions up; their next owner replays from the "
            "last commit",
            options_.consumer.group, e.what());
    }
}

void TopicConsumer::on_assigned(std::vector<KafkaAssignment>& partitions) {
    // Reading before the sink knows where it stands could apply a partition over a stale state.
    for (;;) {
        try {
            sink_.on_assigned(partitions);
            return;
        } catch (const std::exception& e) {
            if (failures_.fetch_add(1, std::memory_order_relaxed) % 20 == 0) {
                spdlog::warn("{}: {} while taking partitions; trying again after a pause",
                             options_.consumer.group, e.what());
            }
        }
        if (stopping_.load(std::memory_order_relaxed)) return;
        std::this_thread::sleep_for(kRetryPause);
    }
}

bool TopicConsumer::flush_sink() {
    for (;;) {
        try {
            sink_.flush();
            return true;
        } catch (const std::exception& e) {
            if (failures_.fetch_add(1, std::memory_order_relaxed) % 20 == 0) {
                spdlog::warn("{}: {}; the batch is applied again after a pause",
                             options_.consumer.group, e.what());
            }
        }
        if (stopping_.load(std::memory_order_relaxed)) return false;
        std::this_thread::sleep_for(kRetryPause);
    }
}

void TopicConsumer::run() {
    const auto& group = options_.consumer.group;
    std::string error;
    // Healthy: the coordinator acknowledged the last commit or, while idle, partitions are
    // assigned and the cluster answers (asked every kIdleProbe: an outage shows no error while
    // nothing is fetched). Degraded: a poll or a commit failed, or the cluster does not answer.
    auto next_probe = std::chrono::steady_clock::now();
    std::uint64_t acknowledged = 0;
    const auto healthy = [&] {
        if (!connected_.exchange(true)) {
            spdlog::info("{}: consuming {}", group, fmt::join(options_.topics, ", "));
        }
    };
    const auto unhealthy = [&](std::string_view why) {
        failures_.fetch_add(1, std::memory_order_relaxed);
        if (connected_.exchange(false)) spdlog::warn("{}: {}", group, why);
    };
    while (!stopping_.load(std::memory_order_relaxed)) {
        try {
            const std::size_t count = consumer_.poll(
                options_.max_batch, kPollWait, [this](const KafkaRecord& r) { take(r); }, error);
            if (!error.empty()) {
                unhealthy("kafka: " + error);
            } else if (consumer_.commits_acknowledged() != acknowledged) {
                healthy();
            }
            acknowledged = consumer_.commits_acknowledged();
            if (count == 0) {
                if (std::chrono::steady_clock::now() < next_probe) continue;
                next_probe = std::chrono::steady_clock::now() + kIdleProbe;
                if (!consumer_.reachable(kIdleProbe)) {
                    unhealthy("kafka: the cluster does not answer");
                } else if (consumer_.assigned()) {
                    healthy();
                }
                continue;
            }
            // Offsets are committed only after the batch's effects and dead letters are kept.
            if (!flush_sink()) return;
            if (std::exchange(pending_dead_letters_, 0) != 0) dead_letter_producer_.flush();
            consumer_.commit();
        } catch (const KafkaError& e) {
            unhealthy(e.what());
            std::this_thread::sleep_for(kRetryPause);
        }
    }
    // Waiting on a coordinator that does not answer would hold the stop: the group replays
    // from its last commit instead.
    if (!connected_.load()) return;
    try {
        consumer_.commit_and_wait();
    } catch (const KafkaError& e) {
        spdlog::warn("{}: {} while stopping; the group replays from its last commit", group,
                     e.what());
    }
}

ConsumerFigures TopicConsumer::figures() const {
    return {options_.consumer.group,
            connected_.load(std::memory_order_relaxed),
            applied_.load(std::memory_order_relaxed),
            sink_.duplicates(),
            dead_letters_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed),
            consumer_.lag()};
}

}  // namespace xtrader
