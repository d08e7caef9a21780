// The broker pipelines' benchmarks, on real brokers; each prints one JSON line.
//
// kafka-publisher / rabbitmq-publisher: a publisher's throughput from a pre-filled journal:
//   RECORDS commands, each with one execution and two changed book levels (two messages: an
//   Execution and a BookDelta), written to a fresh journal, then drained by the KafkaPublisher
//   (acks=all, idempotent) or the RabbitMqPublisher (publisher confirms) in the batches a
//   journal follower uses, every batch acknowledged before the next: the messages per second and
//   their mean size (scripts/bench.sh runs the broker's own tool, Kafka's ProducerPerformance or
//   RabbitMQ's PerfTest, with that size beside it).
// kafka-latency: execution committed -> candle updated by the mdp-group. A sequencer on the
//   config's first market, the Kafka publisher following its journal (the daemon's follower
//   options) and an mdp-group member feeding a MarketData, all in this process; crossing pairs
//   offered at RATE executions per second (open loop) for SECONDS. Per execution: from its
//   command's completion (after the commit) to the MarketData listener seeing its trade applied.
//
// usage: pipeline_bench kafka-publisher CONFIG BROKERS TOPIC DATA_DIR RECORDS
//        pipeline_bench rabbitmq-publisher CONFIG AMQP_URL EXCHANGE DATA_DIR RECORDS
//        pipeline_bench kafka-latency CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/bus/kafka_publisher.hpp"
#include "xtrader/bus/rabbitmq_publisher.hpp"
#include "xtrader/config/config_file.hpp"
#include "xtrader/consumers/market_data_sink.hpp"
#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"

using namespace xtrader;

namespace {

// A journal of `records` crossing buys on the first market, with the events the engine would
// have recorded for them.
void fill_journal(const std::filesystem::path& dir, const MarketSpec& m, Sequence records) {
    JournalWriter journal(dir, 1, FsyncPolicy::None, 64 << 20);
    const Price price = m.tick_size * 50'000;
    for (Sequence s = 1; s <= records; ++s) {
        PlaceOrder order{};
        order.account = 2;
        order.side = Side::Buy;
        order.type = OrderType::Limit;
        order.price = price;
        order.quantity = m.lot_size * 10;
        const Event events[] = {
            Trade{s, 0, price, order.quantity, s, s + records, 2, 1, Side::Buy, 250, 250, 0, 0},
            BookLevelChanged{0, Side::Sell, price, m.lot_size * 10 * 1000, 1000},
            BookLevelChanged{0, Side::Buy, price - m.tick_size, m.lot_size * 20, 3},
            BookVersion{0, s}};
        journal.append(s, 1'732'480'000'000'000'000 + static_cast<Timestamp>(s) * 1000, order,
                       events);
        if (s % 4096 == 0 && !journal.write()) throw std::runtime_error(journal.last_error());
    }
    if (!journal.commit()) throw std::runtime_error(journal.last_error());
}

KafkaPublisherOptions topics_named(const std::string& brokers, const std::string& topic) {
    KafkaPublisherOptions options;
    options.producer.brokers = brokers;
    options.market_data.name = topic;
    options.market_data_dead_letters.name = topic + ".dlq";
    options.order_events.name = topic + "-orders";
    options.order_events_dead_letters.name = topic + "-orders.dlq";
    return options;
}

// The mean size of the two messages of a record, for the baseline tool's message size.
std::size_t message_bytes(const MarketCatalog& catalog, Sequence records) {
    const auto& m = catalog.markets[0];
    std::string execution, delta;
    encode_market_data(
        catalog,
        ExecutionMessage{records, 1'732'480'000'000,
                         Trade{records, 0, m.tick_size * 50'000, m.lot_size * 10, records,
                               2 * records, 2, 1, Side::Buy, 250, 250, 0, 0}},
        execution);
    encode_market_data(
        catalog,
        BookDeltaMessage{
            records,
            1'732'480'000'000,
            0,
            records,
            {BookLevelChanged{0, Side::Sell, m.tick_size * 50'000, m.lot_size * 10'000, 1000},
             BookLevelChanged{0, Side::Buy, m.tick_size * 49'999, m.lot_size * 20, 3}}},
        delta);
    return (execution.size() + delta.size()) / 2;
}

// broker: "kafka" or "rabbitmq"; address: its brokers or amqp:// URL; name: topic or exchange.
int run_publisher(const std::string& broker, char** argv) {
    const auto catalog = config::ConfigFile::load(argv[0]).markets();
    const std::filesystem::path data = argv[3];
    const Sequence records = std::stoull(argv[4]);
    std::filesystem::remove_all(data);
    fill_journal(journal_dir(data), catalog.markets[0], records);

    std::unique_ptr<RecordConsumer> publisher;
    if (broker == "kafka") {
        auto kafka = std::make_unique<KafkaPublisher>(catalog, topics_named(argv[1], argv[2]),
                                                      data / "cursor");
        if (!kafka->create_topics(std::chrono::seconds(30))) {
            throw std::runtime_error("the Kafka cluster does not answer");
        }
        publisher = std::move(kafka);
    } else {
        std::string error;
        auto endpoint = parse_amqp_url(argv[1], error);
        if (!endpoint) throw std::runtime_error(error);
        publisher = std::make_unique<RabbitMqPublisher>(
            catalog, RabbitMqPublisherOptions{std::move(*endpoint), argv[2]}, data / "cursor");
    }

    JournalReader reader(journal_dir(data), 1);
    std::vector<JournalRecord> batch;
    const auto start = std::chrono::steady_clock::now();
    while (auto record = reader.next(records)) {
        batch.push_back(std::move(*record));
        if (batch.size() == 8192) {
            publisher->consume(batch);
            batch.clear();
        }
    }
    if (!batch.empty()) publisher->consume(batch);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto messages = 2 * records;
    std::printf(
        "{\"bench\":\"%s\",\"scenario\":\"publisher\",\"records\":%llu,\"messages\":%llu,"
        "\"seconds\":%.3f,\"messages_per_s\":%.0f,\"message_bytes\":%zu}\n",
        broker.c_str(), static_cast<unsigned long long>(records),
        static_cast<unsigned long long>(messages), seconds, static_cast<double>(messages) / seconds,
        message_bytes(catalog, records));
    std::filesystem::remove_all(data);
    return 0;
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// When the MarketData applied each sequence's trade.
class TradeClock final : public MarketDataListener {
  public:
    explicit TradeClock(std::vector<std::int64_t>& applied) : applied_(applied) {}
    void on_market_update(MarketId, Sequence sequence, Timestamp,
                          std::span<const PublicTrade> trades, std::span<const BookDelta>,
                          std::uint64_t) override {
        if (trades.empty() || sequence >= applied_.size()) return;
        applied_[sequence] = now_ns();
        seen.fetch_add(1, std::memory_order_release);
    }
    std::atomic<std::size_t> seen{0};

  private:
    std::vector<std::int64_t>& applied_;
};

int run_latency(char** argv) {
    const auto catalog = config::ConfigFile::load(argv[0]).markets();
    const std::string brokers = argv[1];
    const std::filesystem::path data = argv[3];
    const double rate = std::stod(argv[4]);
    const double seconds = std::stod(argv[5]);
    const auto pairs = static_cast<std::size_t>(rate * seconds);
    std::filesystem::remove_all(data);

    const MarketSpec& m = catalog.markets[0];
    const Price price = m.tick_size * 50'000;
    const Quantity quantity = m.lot_size * 10;
    std::vector<std::int64_t> committed(2 * pairs + 256, 0);
    std::vector<std::int64_t> applied(2 * pairs + 256, 0);

    MatchingEngine engine(catalog);
    SystemClock clock;
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = data}, 0);
    const auto options = topics_named(brokers, argv[2]);
    KafkaPublisher publisher(catalog, options, data / "kafka-cursor");
    if (!publisher.create_topics(std::chrono::seconds(30))) {
        throw std::runtime_error("the Kafka cluster does not answer");
    }
    JournalFollower follower(
        "kafka", journal_dir(data), [&sequencer] { return sequencer.committed_sequence(); },
        publisher, FollowerOptions{.max_batch = 8192});
    sequencer.register_cursor(follower.cursor());
    MarketData market_data(catalog);
    TradeClock trade_clock(applied);
    market_data.set_listener(&trade_clock);
    MarketDataSink sink(catalog, market_data);
    TopicConsumerOptions consumer_options;
    consumer_options.consumer.brokers = brokers;
    consumer_options.consumer.group = std::string(argv[2]) + "-mdp";
    consumer_options.topics = {options.market_data.name};
    TopicConsumer mdp(consumer_options, sink);

    sequencer.start();
    follower.start();
    mdp.start();

    std::atomic<std::size_t> refused{0};
    std::atomic<std::size_t> answered{0};
    const auto submit = [&](CommandBody command) {
        while (sequencer.submit(std::move(command), [&](const CommandReply& reply) {
            if (reply.result != RejectReason::None) refused.fetch_add(1);
            if (reply.sequence < committed.size()) committed[reply.sequence] = now_ns();
            answered.fetch_add(1, std::memory_order_release);
        }) != SubmitResult::Accepted) {
            std::this_thread::yield();
        }
    };
    // Plenty: the base asset may have more decimals than the market's quantities.
    submit(Deposit{1, m.base, 1'000'000'000'000'000});
    submit(Deposit{2, m.quote, static_cast<Amount>(pairs) * price * quantity * 2});
    // Warm-up, not timed: the member has joined the group and fetches before the load starts.
    constexpr std::size_t kWarmUp = 100;
    const auto cross = [&] {
        submit(PlaceOrder{
            1, 0, Side::Sell, OrderType::Limit, TimeInForce::GTC, false, price, quantity, {}});
        submit(PlaceOrder{
            2, 0, Side::Buy, OrderType::Limit, TimeInForce::GTC, false, price, quantity, {}});
    };
    for (std::size_t i = 0; i < kWarmUp; ++i) cross();
    const auto joined = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (trade_clock.seen.load() < kWarmUp && std::chrono::steady_clock::now() < joined) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    const Sequence timed_from = sequencer.committed_sequence() + 1;

    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < pairs; ++i) {
        const auto due = start + std::chrono::nanoseconds(static_cast<std::int64_t>(
                                     static_cast<double>(i) * 1e9 / rate));
        std::this_thread::sleep_until(due);
        cross();
    }
    const double offered_for =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while ((trade_clock.seen.load(std::memory_order_acquire) < pairs + kWarmUp ||
            answered.load(std::memory_order_acquire) < 2 * (pairs + kWarmUp) + 2) &&
           std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    mdp.stop();
    follower.stop();
    sequencer.stop();
    if (refused.load() != 0)
        throw std::runtime_error(std::to_string(refused) + " commands refused");

    std::vector<double> latency_ms;
    for (std::size_t s = timed_from; s < applied.size(); ++s) {
        if (applied[s] == 0 || committed[s] == 0) continue;
        latency_ms.push_back(
            static_cast<double>(std::max<std::int64_t>(0, applied[s] - committed[s])) / 1e6);
    }
    if (latency_ms.size() != pairs) {
        throw std::runtime_error("only " + std::to_string(latency_ms.size()) + " of " +
                                 std::to_string(pairs) + " executions reached the candles");
    }
    std::sort(latency_ms.begin(), latency_ms.end());
    const auto at = [&](double q) {
        return latency_ms[std::min(
            latency_ms.size() - 1,
            static_cast<std::size_t>(q * static_cast<double>(latency_ms.size())))];
    };
    std::printf(
        "{\"bench\":\"kafka\",\"scenario\":\"commit_to_candle\",\"executions\":%zu,"
        "\"executions_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,"
        "\"max_ms\":%.2f}\n",
        pairs, static_cast<double>(pairs) / offered_for, at(0.5), at(0.99), at(0.999),
        latency_ms.back());
    std::filesystem::remove_all(data);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const std::string scenario = argc > 1 ? argv[1] : "";
    const bool publisher =
        (scenario == "kafka-publisher" || scenario == "rabbitmq-publisher") && argc == 7;
    if (!publisher && !(scenario == "kafka-latency" && argc == 8)) {
        std::fprintf(stderr,
                     "usage: %s kafka-publisher CONFIG BROKERS TOPIC DATA_DIR RECORDS\n"
                     "       %s rabbitmq-publisher CONFIG AMQP_URL EXCHANGE DATA_DIR RECORDS\n"
                     "       %s kafka-latency CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS\n",
                     argv[0], argv[0], argv[0]);
        return 2;
    }
    try {
        if (publisher) return run_publisher(scenario.substr(0, scenario.find('-')), argv + 2);
        return run_latency(argv + 2);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pipeline_bench: %s\n", e.what());
        return 1;
    }
}
