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
// surveillance-backlog: RECORDS records published as in kafka-publisher (an Execution and a
//   BookDelta each) plus one order change each on TOPIC-orders; then a member of each
//   surveillance group (regulatory, analytics, exchange-sync: the last only keeps our market
//   data) reads the whole backlog from the start, alerts into SQLite: the events per second.
// surveillance-lag: as kafka-latency, with an analytics member (its detectors, alerts into
//   SQLite) instead of the mdp-group: per execution, from its command's commit to the member
//   having read it.
//
// usage: pipeline_bench kafka-publisher CONFIG BROKERS TOPIC DATA_DIR RECORDS
//        pipeline_bench rabbitmq-publisher CONFIG AMQP_URL EXCHANGE DATA_DIR RECORDS
//        pipeline_bench kafka-latency CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS
//        pipeline_bench surveillance-backlog CONFIG BROKERS TOPIC DATA_DIR RECORDS
//        pipeline_bench surveillance-lag CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS
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
#include "xtrader/consumers/order_event_codec.hpp"
#include "xtrader/consumers/surveillance_monitor.hpp"
#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

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

// A surveillance member's sink, timed: when each sequence's execution was read.
class TimedSink final : public TopicSink {
  public:
    TimedSink(const MarketCatalog& catalog, TopicSink& inner, std::string market_data,
              std::vector<std::int64_t>& applied)
        : catalog_(catalog),
          inner_(inner),
          market_data_(std::move(market_data)),
          applied_(applied) {}

    bool take(const KafkaRecord& record, std::string& error) override {
        if (!inner_.take(record, error)) return false;
        if (record.topic != market_data_) return true;
        const auto message = decode_market_data(catalog_, record.payload, error);
        const auto* execution = message ? std::get_if<ExecutionMessage>(&*message) : nullptr;
        if (execution != nullptr && execution->sequence < applied_.size()) {
            applied_[execution->sequence] = now_ns();
            seen.fetch_add(1, std::memory_order_release);
        }
        return true;
    }
    void flush() override { inner_.flush(); }
    std::uint64_t duplicates() const override { return inner_.duplicates(); }
    void on_assigned(std::vector<KafkaAssignment>& partitions) override {
        inner_.on_assigned(partitions);
    }
    std::atomic<std::size_t> seen{0};

  private:
    const MarketCatalog& catalog_;
    TopicSink& inner_;
    std::string market_data_;
    std::vector<std::int64_t>& applied_;
};

// Every surveillance group's options with the thresholds of the configuration file's defaults.
SurveillanceOptions surveillance_options(const MarketCatalog& catalog) {
    SurveillanceOptions options;
    options.large_trade.assign(catalog.markets.size(), 0);
    return options;
}

// group: "mdp" (the mdp-group into a MarketData) or "analytics" (a surveillance member).
int run_latency(char** argv, const std::string& group) {
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
    const SurveillanceOptions thresholds = surveillance_options(catalog);
    const SurveillanceGroup analytics[] = {SurveillanceGroup::Analytics};
    SurveillanceMonitor monitor(catalog, thresholds, analytics);
    SqliteAlertStore alerts(catalog, data / "alerts.sqlite");
    SurveillanceSink watch(catalog, monitor, alerts, options.market_data.name,
                           options.order_events.name, nullptr, std::chrono::milliseconds(0));
    TimedSink timed(catalog, watch, options.market_data.name, applied);
    const bool mdp_group = group == "mdp";
    TopicConsumerOptions consumer_options;
    consumer_options.consumer.brokers = brokers;
    consumer_options.consumer.group = std::string(argv[2]) + "-" + group;
    consumer_options.topics = {options.market_data.name};
    TopicConsumer mdp(consumer_options, mdp_group ? static_cast<TopicSink&>(sink) : timed);
    const auto seen = [&] { return mdp_group ? trade_clock.seen.load() : timed.seen.load(); };

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
    while (seen() < kWarmUp && std::chrono::steady_clock::now() < joined) {
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
    while ((seen() < pairs + kWarmUp ||
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
    if (mdp_group) {
        std::printf(
            "{\"bench\":\"kafka\",\"scenario\":\"commit_to_candle\",\"executions\":%zu,"
            "\"executions_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"p999_ms\":%.2f,"
            "\"max_ms\":%.2f}\n",
            pairs, static_cast<double>(pairs) / offered_for, at(0.5), at(0.99), at(0.999),
            latency_ms.back());
    } else {
        std::printf(
            "{\"bench\":\"surveillance\",\"scenario\":\"lag\",\"group\":\"%s\","
            "\"executions\":%zu,\"executions_per_s\":%.0f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,"
            "\"p999_ms\":%.2f,\"max_ms\":%.2f}\n",
            group.c_str(), pairs, static_cast<double>(pairs) / offered_for, at(0.5), at(0.99),
            at(0.999), latency_ms.back());
    }
    std::filesystem::remove_all(data);
    return 0;
}

// Counts what a member read, for the backlog's end.
class CountedSink final : public TopicSink {
  public:
    explicit CountedSink(TopicSink& inner) : inner_(inner) {}
    bool take(const KafkaRecord& record, std::string& error) override {
        taken.fetch_add(1, std::memory_order_release);
        return inner_.take(record, error);
    }
    void flush() override { inner_.flush(); }
    std::uint64_t duplicates() const override { return inner_.duplicates(); }
    void on_assigned(std::vector<KafkaAssignment>& partitions) override {
        inner_.on_assigned(partitions);
    }
    std::atomic<std::uint64_t> taken{0};

  private:
    TopicSink& inner_;
};

int run_backlog(char** argv) {
    const auto catalog = config::ConfigFile::load(argv[0]).markets();
    const std::string brokers = argv[1];
    const std::filesystem::path data = argv[3];
    const Sequence records = std::stoull(argv[4]);
    std::filesystem::remove_all(data);
    fill_journal(journal_dir(data), catalog.markets[0], records);
    const auto options = topics_named(brokers, argv[2]);
    {
        KafkaPublisher publisher(catalog, options, data / "cursor");
        if (!publisher.create_topics(std::chrono::seconds(30))) {
            throw std::runtime_error("the Kafka cluster does not answer");
        }
        JournalReader reader(journal_dir(data), 1);
        std::vector<JournalRecord> batch;
        while (auto record = reader.next(records)) {
            batch.push_back(std::move(*record));
            if (batch.size() == 8192) {
                publisher.consume(batch);
                batch.clear();
            }
        }
        if (!batch.empty()) publisher.consume(batch);
        // One change per record on the orders topic: the buyer's order, placed then filled.
        KafkaProducer producer(options.producer);
        std::string payload;
        const auto& m = catalog.markets[0];
        for (Sequence s = 1; s <= records; ++s) {
            OrderChange change;
            change.order.id = s;
            change.order.account = 2;
            change.order.side = Side::Buy;
            change.order.price = m.tick_size * 50'000;
            change.order.quantity = m.lot_size * 10;
            change.order.filled = s % 2 == 0 ? change.order.quantity : 0;
            change.order.status = s % 2 == 0 ? OrderStatus::Filled : OrderStatus::Pending;
            change.order.sequence = s;
            change.order.created = change.order.updated = 1'732'480'000'000'000'000;
            payload.clear();
            encode_order_event(catalog, change, payload);
            producer.produce(options.order_events.name, "2", payload);
        }
        producer.flush();
    }
    const SurveillanceOptions thresholds = surveillance_options(catalog);
    for (const auto group : {SurveillanceGroup::Regulatory, SurveillanceGroup::Analytics,
                             SurveillanceGroup::ExchangeSync}) {
        const SurveillanceGroup groups[] = {group};
        SurveillanceMonitor monitor(catalog, thresholds, groups);
        SqliteAlertStore alerts(catalog, data / ("alerts-" + std::string(to_string(group))));
        SurveillanceSink watch(catalog, monitor, alerts, options.market_data.name,
                               options.order_events.name, nullptr, std::chrono::milliseconds(0));
        MarketData ours(catalog);
        MarketDataSink prices(catalog, ours);
        CountedSink counted(
            group == SurveillanceGroup::ExchangeSync ? static_cast<TopicSink&>(prices) : watch);
        TopicConsumerOptions consumer_options;
        consumer_options.consumer.brokers = brokers;
        consumer_options.consumer.group =
            std::string(argv[2]) + "-" + std::string(to_string(group));
        consumer_options.topics = {options.market_data.name};
        if (group == SurveillanceGroup::Analytics) {
            consumer_options.topics.push_back(options.order_events.name);
        }
        const std::uint64_t events =
            consumer_options.topics.size() == 2 ? 3 * records : 2 * records;
        TopicConsumer member(consumer_options, counted);
        // From the member's first message: joining the group is not reading.
        member.start();
        const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(300);
        while (counted.taken.load() == 0 && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const auto start = std::chrono::steady_clock::now();
        while (counted.taken.load() < events && std::chrono::steady_clock::now() < give_up) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        member.stop();
        if (counted.taken.load() < events) {
            throw std::runtime_error(std::string(to_string(group)) + " read only " +
                                     std::to_string(counted.taken.load()) + " of " +
                                     std::to_string(events));
        }
        std::printf(
            "{\"bench\":\"surveillance\",\"scenario\":\"backlog\",\"group\":\"%s\","
            "\"events\":%llu,\"seconds\":%.3f,\"events_per_s\":%.0f}\n",
            std::string(to_string(group)).c_str(), static_cast<unsigned long long>(events), seconds,
            static_cast<double>(events) / seconds);
        std::fflush(stdout);
    }
    std::filesystem::remove_all(data);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Stdout carries the JSON lines only; the consumers' logs go beside them.
    spdlog::set_default_logger(spdlog::stderr_color_mt("bench"));
    const std::string scenario = argc > 1 ? argv[1] : "";
    const bool publisher =
        (scenario == "kafka-publisher" || scenario == "rabbitmq-publisher") && argc == 7;
    const bool backlog = scenario == "surveillance-backlog" && argc == 7;
    const bool latency =
        (scenario == "kafka-latency" || scenario == "surveillance-lag") && argc == 8;
    if (!publisher && !backlog && !latency) {
        std::fprintf(stderr,
                     "usage: %s kafka-publisher CONFIG BROKERS TOPIC DATA_DIR RECORDS\n"
                     "       %s rabbitmq-publisher CONFIG AMQP_URL EXCHANGE DATA_DIR RECORDS\n"
                     "       %s kafka-latency CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS\n"
                     "       %s surveillance-backlog CONFIG BROKERS TOPIC DATA_DIR RECORDS\n"
                     "       %s surveillance-lag CONFIG BROKERS TOPIC DATA_DIR RATE SECONDS\n",
                     argv[0], argv[0], argv[0], argv[0], argv[0]);
        return 2;
    }
    try {
        if (publisher) return run_publisher(scenario.substr(0, scenario.find('-')), argv + 2);
        if (backlog) return run_backlog(argv + 2);
        return run_latency(argv + 2, scenario == "kafka-latency" ? "mdp" : "analytics");
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pipeline_bench: %s\n", e.what());
        return 1;
    }
}
