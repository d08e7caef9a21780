// Market surveillance as a pipeline consumer: a group's detectors (surveillance/detectors.hpp)
// fed with the pipeline's messages, and the two ways they arrive.
//
//  - SurveillanceSink, a TopicSink: a member of the Kafka consumer group `regulatory` (reads
//    market-data) or `analytics` (market-data and order-events), in full mode. The alerts of a
//    batch are stored (PostgreSQL) and then produced to the topic `surveillance-alerts`, before
//    the batch's offsets are committed.
//  - SurveillanceFollower, a RecordConsumer: embedded mode's journal follower, running every
//    group's detectors on the journal itself; the alerts and the journal position in one SQLite
//    transaction.
//
// Either way an alert is stored once (its id derives from the events that raised it), however
// often a replay brings its events again. The detectors' windows live in memory: after a
// restart they fill again from what follows the stored position (an order placed before it is
// not followed; a window that straddles it is seen only from then on).
//
// Threads: each object belongs to the one thread that feeds it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/bus/keyed_sink.hpp"
#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/consumers/surveillance_events.hpp"
#include "xtrader/consumers/topic_consumer.hpp"
#include "xtrader/store/postgres_store.hpp"
#include "xtrader/store/sqlite_alert_store.hpp"
#include "xtrader/surveillance/detectors.hpp"

namespace xtrader {

// The consumer groups of surveillance, each with its detectors.
enum class SurveillanceGroup : std::uint8_t {
    Regulatory,    // large-trade reports (market-data)
    Analytics,     // whales, wash trades and rings, spoofing (market-data, order-events)
    ExchangeSync,  // other venues' prices against ours (market-data; exchange_sync.hpp)
};
std::string_view to_string(SurveillanceGroup group) noexcept;
std::optional<SurveillanceGroup> parse_surveillance_group(std::string_view text) noexcept;

// The thresholds, as `[surveillance]` of the configuration sets them.
struct SurveillanceOptions {
    std::vector<Amount> large_trade;  // by market, quote units; 0: not reported
    surveillance::WashTradeOptions wash;
    surveillance::WhaleOptions whale;
    surveillance::SpoofingOptions spoofing;
};

// One group's detectors (or several groups' together, as embedded mode runs them).
class SurveillanceMonitor {
  public:
    SurveillanceMonitor(const MarketCatalog& catalog, const SurveillanceOptions& options,
                        std::span<const SurveillanceGroup> groups);

    void on_market_data(const MarketDataMessage& message, std::vector<surveillance::Alert>& out);
    void on_order(const OrderChange& change, std::vector<surveillance::Alert>& out);
    // Messages a replay brought again (dropped).
    std::uint64_t replays() const noexcept { return replays_; }

  private:
    SurveillanceEvents events_;
    std::vector<std::unique_ptr<surveillance::Detector>> detectors_;
    std::uint64_t replays_ = 0;
};

// Told of every alert once it is stored (a new one or, after a replay, one stored before).
using AlertListener = std::function<void(const surveillance::Alert&)>;

// A Kafka group member's sink: market-data and order-events messages to the monitor.
//
// A member that takes partitions (a restart, a rebalance) reads each again from `warm_up`
// before the group's committed offset: the detectors' windows fill with what preceded it, and
// the alerts of those messages, stored before the commit, are not raised again.
class SurveillanceSink final : public TopicSink {
  public:
    // alerts_topic: where stored alerts are produced, keyed by symbol (null: nowhere).
    // listener: told of each alert once stored and produced.
    SurveillanceSink(const MarketCatalog& catalog, SurveillanceMonitor& monitor, AlertStore& store,
                     std::string market_data_topic, std::string order_events_topic,
                     std::unique_ptr<KeyedSink> alerts_topic, std::chrono::milliseconds warm_up,
                     AlertListener listener = nullptr);

    bool take(const KafkaRecord& record, std::string& error) override;
    void on_assigned(std::vector<KafkaAssignment>& partitions) override;
    // Stores the batch's alerts, then produces them; throws (to be called again) when either
    // fails: the store keeps each once, a reader of the topic may see one twice.
    void flush() override;
    std::uint64_t duplicates() const override { return monitor_.replays(); }
    std::uint64_t alerts() const noexcept { return alerts_; }

  private:
    const MarketCatalog& catalog_;
    SurveillanceMonitor& monitor_;
    AlertStore& store_;
    std::string market_data_topic_;
    std::string order_events_topic_;
    std::unique_ptr<KeyedSink> alerts_topic_;
    std::chrono::milliseconds warm_up_;
    AlertListener listener_;
    // By topic (market data, order events) and partition: the first offset not seen before.
    std::vector<std::int64_t> live_from_[2];
    std::vector<surveillance::Alert> pending_;
    std::vector<surveillance::Alert> warm_up_alerts_;  // raised again, dropped
    std::uint64_t alerts_ = 0;
    std::string payload_;  // reused
};

// One member of a surveillance group on Kafka, whole: its detectors, its PostgreSQL connection
// (alerts, reports), the alerts topic and its membership of the group. A thread of xtraderd in
// full mode, or the work of a --role surveillance process.
struct SurveillanceMemberOptions {
    SurveillanceGroup group = SurveillanceGroup::Regulatory;
    TopicConsumerOptions consumer;  // the group's topics
    std::string market_data_topic;
    std::string order_events_topic;
    std::string alerts_topic;
    std::string postgres;  // libpq connection string
    std::chrono::milliseconds warm_up{0};
};

class SurveillanceMember {
  public:
    SurveillanceMember(const MarketCatalog& catalog, const SurveillanceOptions& options,
                       SurveillanceMemberOptions member, AlertListener listener = nullptr);
    void start() { consumer_.start(); }
    void stop() { consumer_.stop(); }
    ConsumerFigures figures() const { return consumer_.figures(); }
    std::uint64_t alerts() const noexcept { return sink_.alerts(); }

  private:
    std::vector<SurveillanceGroup> groups_;
    SurveillanceMonitor monitor_;
    PostgresStore store_;
    SurveillanceSink sink_;
    TopicConsumer consumer_;
};

// The exchange's view of alerts raised by --role surveillance processes: the topic
// surveillance-alerts to a listener (the WebSocket `alerts` channel). A group that has not
// committed yet starts at the topic's end: the channel is live, the API has the history.
class AlertRelaySink final : public TopicSink {
  public:
    AlertRelaySink(const MarketCatalog& catalog, AlertListener listener)
        : catalog_(catalog), listener_(std::move(listener)) {}

    bool take(const KafkaRecord& record, std::string& error) override;
    std::uint64_t duplicates() const override { return 0; }
    void on_assigned(std::vector<KafkaAssignment>& partitions) override;

  private:
    const MarketCatalog& catalog_;
    AlertListener listener_;
};

// Embedded mode: the journal's records to the monitor, the alerts to SQLite.
class SurveillanceFollower final : public RecordConsumer {
  public:
    SurveillanceFollower(const MarketCatalog& catalog, SurveillanceMonitor& monitor,
                         SqliteAlertStore& store, AlertListener listener = nullptr);

    Sequence position() override;
    void consume(std::span<const JournalRecord> records) override;

  private:
    SurveillanceMonitor& monitor_;
    SqliteAlertStore& store_;
    AlertListener listener_;
    std::unordered_map<OrderId, OrderRecord> open_orders_;  // what the journal made of them
    Sequence fed_ = 0;                                      // the last record given to the monitor
    std::vector<surveillance::Alert> pending_;
    BookDeltaMessage scratch_;
};

}  // namespace xtrader
