// The Kafka publisher's throughput from a pre-filled journal: RECORDS commands, each with one
// execution and two changed book levels (two messages: an Execution and a BookDelta), written
// to a fresh journal, then drained by a KafkaPublisher in the batches a journal follower uses,
// every batch flushed and acknowledged (acks=all, idempotent) before the next. Prints one JSON
// line with the messages per second and their mean size (scripts/bench.sh kafka runs Kafka's
// own ProducerPerformance with that size beside it).
//
// usage: kafka_bench CONFIG BROKERS TOPIC DATA_DIR RECORDS
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>

#include "xtrader/bus/kafka_publisher.hpp"
#include "xtrader/config/config_file.hpp"
#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/recovery.hpp"

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
            BookLevelChanged{0, Side::Buy, price - m.tick_size, m.lot_size * 20, 3}};
        journal.append(s, 1'732'480'000'000'000'000 + static_cast<Timestamp>(s) * 1000, order,
                       events);
        if (s % 4096 == 0 && !journal.write()) throw std::runtime_error(journal.last_error());
    }
    if (!journal.commit()) throw std::runtime_error(journal.last_error());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s CONFIG BROKERS TOPIC DATA_DIR RECORDS\n", argv[0]);
        return 2;
    }
    try {
        const auto catalog = config::ConfigFile::load(argv[1]).markets();
        const std::filesystem::path data = argv[4];
        const Sequence records = std::stoull(argv[5]);
        std::filesystem::remove_all(data);
        fill_journal(journal_dir(data), catalog.markets[0], records);

        KafkaPublisherOptions options;
        options.producer.brokers = argv[2];
        options.market_data.name = argv[3];
        KafkaPublisher publisher(catalog, options, data / "cursor");
        if (!publisher.create_topics(std::chrono::seconds(30))) {
            throw std::runtime_error("the Kafka cluster does not answer");
        }
        // The mean payload size, for the baseline's --record-size.
        const auto& m = catalog.markets[0];
        std::string execution, delta;
        encode_market_data(catalog,
                           ExecutionMessage{records, 1'732'480'000'000,
                                            Trade{records, 0, m.tick_size * 50'000, m.lot_size * 10,
                                                  records, 2 * records, 2, 1, Side::Buy, 250, 250,
                                                  0, 0}},
                           execution);
        encode_market_data(catalog,
                           BookDeltaMessage{records, 1'732'480'000'000, 0,
                                            {BookLevelChanged{0, Side::Sell, m.tick_size * 50'000,
                                                              m.lot_size * 10'000, 1000},
                                             BookLevelChanged{0, Side::Buy, m.tick_size * 49'999,
                                                              m.lot_size * 20, 3}}},
                           delta);
        const auto message_bytes = (execution.size() + delta.size()) / 2;

        JournalReader reader(journal_dir(data), 1);
        std::vector<JournalRecord> batch;
        const auto start = std::chrono::steady_clock::now();
        while (auto record = reader.next(records)) {
            batch.push_back(std::move(*record));
            if (batch.size() == 8192) {
                publisher.consume(batch);
                batch.clear();
            }
        }
        if (!batch.empty()) publisher.consume(batch);
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        const auto messages = 2 * records;
        std::printf(
            "{\"bench\":\"kafka\",\"scenario\":\"publisher\",\"records\":%llu,\"messages\":%llu,"
            "\"seconds\":%.3f,\"events_per_s\":%.0f,\"message_bytes\":%zu}\n",
            static_cast<unsigned long long>(records), static_cast<unsigned long long>(messages),
            seconds, static_cast<double>(messages) / seconds, message_bytes);
        std::filesystem::remove_all(data);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kafka_bench: %s\n", e.what());
        return 1;
    }
    return 0;
}
