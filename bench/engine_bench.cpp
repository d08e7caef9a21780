// Replays the fixed exchange-core single-book stream (bench/workloads) through
//   engine    -- MatchingEngine + ledger alone,
//   journal   -- the same with every command journaled, group-committed under fsync=batch,
//   sequencer -- submitted from this thread through the Sequencer's queue, answered by it,
//   sequencer+kafka=BROKERS -- the same with the Kafka market-data publisher following the
//                journal beside it, as in full mode (a topic of the run's own),
// and prints one JSON line per scenario: commands/s and latency percentiles per command.
//
// usage: engine_bench WORKLOAD.csv DATA_DIR
//            [engine|journal|sequencer|sequencer@RATE|sequencer+kafka=BROKERS]...
#include <x86intrin.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/kafka_publisher.hpp"
#include "xtrader/engine/matching_engine.hpp"
#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace {

using namespace xtrader;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kPrefill = 1000;  // workload lines that build the book, not timed
constexpr AccountId kAccounts = 1000;

// One book in ticks and lots, as the workload counts them; fees as on a real KRW market.
MarketCatalog bench_catalog() {
    MarketCatalog catalog;
    catalog.assets = {{"QUOTE", 0}, {"BASE", 0}};
    MarketSpec m;
    m.symbol = "BASE-QUOTE";
    m.base = 1;
    m.quote = 0;
    m.max_quantity = 10'000'000;
    m.max_price = 10'000'000;
    m.maker_fee_ppm = 200;
    m.taker_fee_ppm = 500;
    catalog.markets = {m};
    if (auto error = catalog.validate(); !error.empty()) throw std::runtime_error(error);
    return catalog;
}

// Funding for every account, then the workload with its ids mapped to the engine's (an order's
// id is the sequence of its placement).
std::vector<Command> load_commands(const std::string& path) {
    std::vector<Command> commands;
    for (AccountId a = 1; a <= kAccounts; ++a) {
        commands.push_back({0, 0, Deposit{a, 0, 1'000'000'000'000'000}});
        commands.push_back({0, 0, Deposit{a, 1, 1'000'000'000'000}});
    }
    std::vector<OrderId> engine_id;
    std::vector<AccountId> owner;
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream fields(line);
        std::string kind, id_text;
        std::getline(fields, kind, ',');
        std::getline(fields, id_text, ',');
        const auto id = std::stoull(id_text);
        if (id >= engine_id.size()) {
            engine_id.resize(id + 1, 0);
            owner.resize(id + 1, 0);
        }
        const Sequence sequence = commands.size() + 1;
        std::string side, price, qty, account, tif;
        if (kind == "N") {
            std::getline(fields, side, ',');
            std::getline(fields, price, ',');
            std::getline(fields, qty, ',');
            std::getline(fields, account, ',');
            std::getline(fields, tif, ',');
            engine_id[id] = sequence;
            owner[id] = static_cast<AccountId>(std::stoul(account));
            commands.push_back(
                {0, 0,
                 PlaceOrder{owner[id], 0, side == "B" ? Side::Buy : Side::Sell, OrderType::Limit,
                            tif == "IOC" ? TimeInForce::IOC : TimeInForce::GTC, false,
                            std::stoll(price), std::stoll(qty)}});
        } else if (kind == "C") {
            commands.push_back({0, 0, CancelOrder{owner[id], engine_id[id]}});
        } else if (kind == "M") {
            std::getline(fields, price, ',');
            commands.push_back({0, 0, AmendOrder{owner[id], engine_id[id], std::stoll(price)}});
        } else {
            throw std::runtime_error("unknown workload line: " + line);
        }
    }
    for (std::size_t i = 0; i < commands.size(); ++i) commands[i].sequence = i + 1;
    return commands;
}

class CountingHandler final : public EventHandler {
  public:
    void on_event(const Event& event) override { trades += std::holds_alternative<Trade>(event); }
    std::uint64_t trades = 0;
};

struct Result {
    std::string scenario;
    double seconds = 0;
    std::vector<std::uint64_t> cycles;  // per timed command
    double ns_per_cycle = 0;
};

void print(const Result& r) {
    auto sorted = r.cycles;
    std::sort(sorted.begin(), sorted.end());
    const auto at = [&](double q) {
        return static_cast<long long>(
            static_cast<double>(
                sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))]) *
            r.ns_per_cycle);
    };
    std::printf(
        "{\"bench\":\"engine\",\"scenario\":\"%s\",\"commands\":%zu,\"commands_per_s\":%.0f,"
        "\"p50_ns\":%lld,\"p99_ns\":%lld,\"p999_ns\":%lld,\"max_ns\":%lld}\n",
        r.scenario.c_str(), sorted.size(), static_cast<double>(sorted.size()) / r.seconds, at(0.5),
        at(0.99), at(0.999), at(1.0));
    std::fflush(stdout);
}

// Measures the TSC against the steady clock over the run itself.
struct Stopwatch {
    Clock::time_point wall = Clock::now();
    std::uint64_t tsc = __rdtsc();
    void finish(Result& r) const {
        const double ns = static_cast<double>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - wall).count());
        r.seconds = ns / 1e9;
        r.ns_per_cycle = ns / static_cast<double>(__rdtsc() - tsc);
    }
};

std::size_t timed_begin() {
    return 2 * kAccounts + kPrefill;
}

Result run_engine(const std::vector<Command>& commands) {
    MatchingEngine engine(bench_catalog());
    CountingHandler handler;
    for (std::size_t i = 0; i < timed_begin(); ++i) engine.apply(commands[i], handler);
    Result r{"engine", 0, std::vector<std::uint64_t>(commands.size() - timed_begin()), 0};
    Stopwatch watch;
    for (std::size_t i = timed_begin(); i < commands.size(); ++i) {
        const auto t0 = __rdtsc();
        engine.apply(commands[i], handler);
        r.cycles[i - timed_begin()] = __rdtsc() - t0;
    }
    watch.finish(r);
    std::fprintf(stderr, "engine: %llu trades, %zu orders resting\n",
                 static_cast<unsigned long long>(handler.trades), engine.open_order_count());
    return r;
}

// As the sequencer does it, without the queue: apply and append a batch, commit it (one
// fdatasync), then the batch is acknowledged. A command's latency runs to its batch's commit.
Result run_journal(const std::vector<Command>& commands, const std::filesystem::path& dir) {
    std::filesystem::remove_all(dir);
    MatchingEngine engine(bench_catalog());
    JournalWriter journal(journal_dir(dir), 1, FsyncPolicy::Batch,
                          SequencerOptions{}.segment_bytes);
    std::vector<Event> events;
    class Collect final : public EventHandler {
      public:
        explicit Collect(std::vector<Event>& e) : events(e) {}
        void on_event(const Event& e) override { events.push_back(e); }
        std::vector<Event>& events;
    } handler(events);
    const std::size_t batch = SequencerOptions{}.max_batch;
    const auto apply = [&](std::size_t i) {
        events.clear();
        engine.apply(commands[i], handler);
        journal.append(commands[i].sequence, commands[i].timestamp, commands[i].body, events);
    };
    for (std::size_t i = 0; i < timed_begin(); ++i) apply(i);
    journal.commit();

    Result r{"journal", 0, std::vector<std::uint64_t>(commands.size() - timed_begin()), 0};
    std::vector<std::uint64_t> started(batch);
    Stopwatch watch;
    for (std::size_t begin = timed_begin(); begin < commands.size(); begin += batch) {
        const std::size_t end = std::min(begin + batch, commands.size());
        for (std::size_t i = begin; i < end; ++i) {
            started[i - begin] = __rdtsc();
            apply(i);
        }
        if (!journal.commit()) throw std::runtime_error(journal.last_error());
        const auto committed = __rdtsc();
        for (std::size_t i = begin; i < end; ++i) {
            r.cycles[i - timed_begin()] = committed - started[i - begin];
        }
    }
    watch.finish(r);
    return r;
}

// The full path: this thread submits, the sequencer thread applies, journals, commits and
// answers. Latency is submit to completion. With a rate, commands are offered at that many per
// second (open loop) instead of as fast as the queue takes them, so latency is not queueing.
// With kafka_brokers, the Kafka publisher follows the journal on its own thread meanwhile, with
// the daemon's follower options, and has published everything before the figures are taken.
Result run_sequencer(const std::vector<Command>& commands, const std::filesystem::path& dir,
                     double rate, const std::string& kafka_brokers = {}) {
    std::filesystem::remove_all(dir);
    const MarketCatalog catalog = bench_catalog();
    MatchingEngine engine(catalog);
    SystemClock clock;
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = dir}, 0);
    std::optional<KafkaPublisher> publisher;
    std::optional<JournalFollower> follower;
    if (!kafka_brokers.empty()) {
        KafkaPublisherOptions options;
        options.producer.brokers = kafka_brokers;
        const auto tag =
            std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
        options.market_data.name = "bench-sequencer-" + tag;
        options.market_data_dead_letters.name = options.market_data.name + ".dlq";
        options.order_events.name = "bench-sequencer-orders-" + tag;
        options.order_events_dead_letters.name = options.order_events.name + ".dlq";
        std::filesystem::create_directories(dir);
        publisher.emplace(catalog, options, dir / "kafka-cursor");
        if (!publisher->create_topics(std::chrono::seconds(30))) {
            throw std::runtime_error("the Kafka cluster does not answer");
        }
        follower.emplace(
            "kafka", journal_dir(dir), [&sequencer] { return sequencer.committed_sequence(); },
            *publisher, FollowerOptions{.max_batch = 8192});
        sequencer.register_cursor(follower->cursor());
    }
    sequencer.start();
    if (follower) follower->start();

    struct Timing {
        std::vector<std::uint64_t> submitted;
        std::vector<std::uint64_t> answered;
        std::atomic<std::size_t> count{0};
    } timing;
    timing.submitted.resize(commands.size());
    timing.answered.resize(commands.size());
    std::uint64_t full = 0;
    const auto submit = [&](std::size_t i) {
        Timing* t = &timing;
        timing.submitted[i] = __rdtsc();
        while (sequencer.submit(commands[i].body, [t, i](const CommandReply&) {
            t->answered[i] = __rdtsc();
            t->count.fetch_add(1, std::memory_order_release);
        }) != SubmitResult::Accepted) {
            ++full;
            std::this_thread::yield();
        }
    };
    for (std::size_t i = 0; i < timed_begin(); ++i) submit(i);
    while (timing.count.load(std::memory_order_acquire) < timed_begin()) std::this_thread::yield();

    std::string name =
        rate > 0 ? "sequencer_at_" + std::to_string(static_cast<long>(rate)) : "sequencer";
    if (follower) name += "+kafka";
    Result r{name, 0, std::vector<std::uint64_t>(commands.size() - timed_begin()), 0};
    Stopwatch watch;
    for (std::size_t i = timed_begin(); i < commands.size(); ++i) {
        if (rate > 0) {
            const auto due = watch.wall + std::chrono::nanoseconds(static_cast<long>(
                                              static_cast<double>(i - timed_begin()) * 1e9 / rate));
            while (Clock::now() < due) {
            }
        }
        submit(i);
    }
    while (timing.count.load(std::memory_order_acquire) < commands.size())
        std::this_thread::yield();
    watch.finish(r);
    for (std::size_t i = timed_begin(); i < commands.size(); ++i) {
        r.cycles[i - timed_begin()] = timing.answered[i] - timing.submitted[i];
    }
    const auto& stats = sequencer.stats();
    std::fprintf(stderr, "sequencer: %llu batches (%.0f commands each), queue full %llu times\n",
                 static_cast<unsigned long long>(stats.batches.load()),
                 static_cast<double>(stats.commands.load()) /
                     static_cast<double>(std::max<std::uint64_t>(1, stats.batches.load())),
                 static_cast<unsigned long long>(full));
    if (follower) {
        const auto end = sequencer.committed_sequence();
        while (follower->cursor().load() < end)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        std::fprintf(stderr, "kafka publisher: %llu records published, %llu failures\n",
                     static_cast<unsigned long long>(follower->taken()),
                     static_cast<unsigned long long>(follower->failures()));
        follower->stop();
    }
    sequencer.stop();
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr,
                     "usage: %s WORKLOAD.csv DATA_DIR "
                     "[engine|journal|sequencer|sequencer@RATE|sequencer+kafka=BROKERS]...\n",
                     argv[0]);
        return 2;
    }
    try {
        const auto commands = load_commands(argv[1]);
        const std::filesystem::path data = argv[2];
        std::vector<std::string> scenarios(argv + 3, argv + argc);
        if (scenarios.empty()) scenarios = {"engine", "journal", "sequencer"};
        std::vector<Result> results;
        for (const auto& s : scenarios) {
            if (s == "engine") {
                results.push_back(run_engine(commands));
            } else if (s == "journal") {
                results.push_back(run_journal(commands, data / "journal-bench"));
            } else if (s == "sequencer") {
                results.push_back(run_sequencer(commands, data / "sequencer-bench", 0));
            } else if (s.starts_with("sequencer+kafka=")) {
                results.push_back(
                    run_sequencer(commands, data / "sequencer-bench", 0, s.substr(16)));
            } else if (s.starts_with("sequencer@")) {
                results.push_back(
                    run_sequencer(commands, data / "sequencer-bench", std::stod(s.substr(10))));
            } else {
                std::fprintf(stderr, "unknown scenario %s\n", s.c_str());
                return 2;
            }
        }
        std::filesystem::remove_all(data / "journal-bench");
        std::filesystem::remove_all(data / "sequencer-bench");
        for (const auto& r : results) print(r);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "engine_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
