#include "xtrader/consumers/market_data_consumer.hpp"

#include <spdlog/spdlog.h>

#include "xtrader/bus/market_data_codec.hpp"

namespace xtrader {

namespace {

constexpr std::chrono::milliseconds kPollWait{100};
constexpr std::chrono::milliseconds kRetryPause{500};

}  // namespace

MarketDataConsumer::MarketDataConsumer(const MarketCatalog& catalog, MarketData& market_data,
                                       MarketDataConsumerOptions options)
    : catalog_(catalog),
      market_data_(market_data),
      options_(std::move(options)),
      consumer_(options_.consumer),
      dead_letter_producer_(KafkaProducerOptions{.brokers = options_.consumer.brokers}) {}

MarketDataConsumer::~MarketDataConsumer() {
    stop();
}

void MarketDataConsumer::start() {
    consumer_.subscribe({options_.topic});
    thread_ = std::thread([this] { run(); });
}

void MarketDataConsumer::stop() {
    stopping_.store(true);
    if (!thread_.joinable()) return;
    thread_.join();
    consumer_.close();
}

void MarketDataConsumer::take(const KafkaRecord& record) {
    std::string error;
    const auto message = decode_market_data(catalog_, record.payload, error);
    if (!message) {
        dead_letter(record, error);
        return;
    }
    if (const auto* e = std::get_if<ExecutionMessage>(&*message)) {
        const Trade& t = e->trade;
        const Timestamp time = e->time_ms * kNanosPerMilli;
        trades_.assign({{t.exec_id, t.price, t.quantity, t.taker_side, time, e->sequence}});
        market_data_.apply(t.market, e->sequence, time, trades_, {});
    } else {
        const auto& delta = std::get<BookDeltaMessage>(*message);
        book_.clear();
        for (const auto& c : delta.changes) {
            book_.push_back({c.side, c.price, c.volume, c.order_count});
        }
        market_data_.apply(delta.market, delta.sequence, delta.time_ms * kNanosPerMilli, {}, book_);
    }
    applied_.fetch_add(1, std::memory_order_relaxed);
}

void MarketDataConsumer::dead_letter(const KafkaRecord& record, const std::string& reason) {
    spdlog::error("{}: {} partition {} offset {} unreadable ({}); moved to {}",
                  options_.consumer.group, record.topic, record.partition, record.offset, reason,
                  options_.dead_letters.name);
    const std::string partition = std::to_string(record.partition);
    const std::string offset = std::to_string(record.offset);
    const KafkaProducer::Header headers[] = {{"error", reason},
                                             {"source_topic", record.topic},
                                             {"source_partition", partition},
                                             {"source_offset", offset}};
    dead_letter_producer_.produce(options_.dead_letters.name, record.key, record.payload, headers);
    ++pending_dead_letters_;
    dead_letters_.fetch_add(1, std::memory_order_relaxed);
}

void MarketDataConsumer::run() {
    const auto& group = options_.consumer.group;
    std::string error;
    while (!stopping_.load(std::memory_order_relaxed)) {
        try {
            const std::size_t count = consumer_.poll(
                options_.max_batch, kPollWait, [this](const KafkaRecord& r) { take(r); }, error);
            if (!error.empty()) {
                failures_.fetch_add(1, std::memory_order_relaxed);
                if (connected_.exchange(false)) spdlog::warn("{}: kafka: {}", group, error);
            }
            if (count == 0) continue;
            // A poison message is in the dead-letter topic before its offset is committed.
            if (std::exchange(pending_dead_letters_, 0) != 0) dead_letter_producer_.flush();
            consumer_.commit();
            if (!connected_.exchange(true)) {
                spdlog::info("{}: consuming {}", group, options_.topic);
            }
        } catch (const KafkaError& e) {
            failures_.fetch_add(1, std::memory_order_relaxed);
            if (connected_.exchange(false)) spdlog::warn("{}: {}", group, e.what());
            std::this_thread::sleep_for(kRetryPause);
        }
    }
    try {
        consumer_.commit();
    } catch (const KafkaError& e) {
        spdlog::warn("{}: {} while stopping; the group replays from its last commit", group,
                     e.what());
    }
}

ConsumerFigures MarketDataConsumer::figures() const {
    return {options_.consumer.group,
            connected_.load(std::memory_order_relaxed),
            applied_.load(std::memory_order_relaxed),
            market_data_.duplicates(),
            dead_letters_.load(std::memory_order_relaxed),
            failures_.load(std::memory_order_relaxed),
            consumer_.lag()};
}

}  // namespace xtrader
