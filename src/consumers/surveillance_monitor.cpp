#include "xtrader/consumers/surveillance_monitor.hpp"

#include "xtrader/consumers/alert_codec.hpp"
#include "xtrader/consumers/order_event_codec.hpp"
#include "xtrader/consumers/order_projection.hpp"

namespace xtrader {

using surveillance::Alert;

std::string_view to_string(SurveillanceGroup group) noexcept {
    switch (group) {
        case SurveillanceGroup::Regulatory: return "regulatory";
        case SurveillanceGroup::Analytics: return "analytics";
        case SurveillanceGroup::ExchangeSync: return "exchange-sync";
    }
    return "unknown";
}

std::optional<SurveillanceGroup> parse_surveillance_group(std::string_view text) noexcept {
    for (const auto group : {SurveillanceGroup::Regulatory, SurveillanceGroup::Analytics,
                             SurveillanceGroup::ExchangeSync}) {
        if (to_string(group) == text) return group;
    }
    return std::nullopt;
}

// ---- the monitor -------------------------------------------------------------------------------

SurveillanceMonitor::SurveillanceMonitor(const MarketCatalog& catalog,
                                         const SurveillanceOptions& options,
                                         std::span<const SurveillanceGroup> groups)
    : events_(catalog) {
    using namespace surveillance;
    for (const auto group : groups) {
        switch (group) {
            case SurveillanceGroup::Regulatory:
                detectors_.push_back(
                    std::make_unique<LargeTradeDetector>(catalog, options.large_trade));
                break;
            case SurveillanceGroup::Analytics:
                detectors_.push_back(std::make_unique<WhaleDetector>(catalog, options.whale));
                detectors_.push_back(std::make_unique<WashTradeDetector>(catalog, options.wash));
                detectors_.push_back(std::make_unique<SpoofingDetector>(catalog, options.spoofing));
                break;
            case SurveillanceGroup::ExchangeSync: break;  // polls venues: ExchangeSync
        }
    }
}

void SurveillanceMonitor::on_market_data(const MarketDataMessage& message,
                                         std::vector<Alert>& out) {
    if (const auto* execution = std::get_if<ExecutionMessage>(&message)) {
        const auto event = events_.execution(*execution);
        if (!event) {
            ++replays_;
            return;
        }
        for (auto& d : detectors_) d->on_execution(*event, out);
    } else if (const auto touch = events_.touch(std::get<BookDeltaMessage>(message))) {
        // A delta that leaves the touch where it was, or a replayed one: nothing to tell.
        for (auto& d : detectors_) d->on_touch(*touch, out);
    }
}

void SurveillanceMonitor::on_order(const OrderChange& change, std::vector<Alert>& out) {
    const auto event = events_.order(change);
    if (!event) {
        ++replays_;
        return;
    }
    for (auto& d : detectors_) d->on_order(*event, out);
}

// ---- a Kafka group member ----------------------------------------------------------------------

SurveillanceSink::SurveillanceSink(const MarketCatalog& catalog, SurveillanceMonitor& monitor,
                                   AlertStore& store, std::string market_data_topic,
                                   std::string order_events_topic,
                                   std::unique_ptr<KeyedSink> alerts_topic,
                                   std::chrono::milliseconds warm_up, AlertListener listener)
    : catalog_(catalog),
      monitor_(monitor),
      store_(store),
      market_data_topic_(std::move(market_data_topic)),
      order_events_topic_(std::move(order_events_topic)),
      alerts_topic_(std::move(alerts_topic)),
      warm_up_(warm_up),
      listener_(std::move(listener)) {}

void SurveillanceSink::on_assigned(std::vector<KafkaAssignment>& partitions) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    for (auto& p : partitions) {
        const int topic = p.topic == market_data_topic_ ? 0 : 1;
        auto& live_from = live_from_[topic];
        const auto partition = static_cast<std::size_t>(p.partition);
        if (live_from.size() <= partition) live_from.resize(partition + 1, 0);
        live_from[partition] = std::max<std::int64_t>(p.committed, 0);
        p.rewind_to_ms = (now - warm_up_).count();
    }
}

bool SurveillanceSink::take(const KafkaRecord& record, std::string& error) {
    const bool market_data = record.topic == market_data_topic_;
    if (!market_data && record.topic != order_events_topic_) {
        error = "not a topic of surveillance";
        return false;
    }
    const auto& live_from = live_from_[market_data ? 0 : 1];
    const auto partition = static_cast<std::size_t>(record.partition);
    const bool warming_up = partition < live_from.size() && record.offset < live_from[partition];
    auto& out = warming_up ? warm_up_alerts_ : pending_;
    if (market_data) {
        const auto message = decode_market_data(catalog_, record.payload, error);
        if (!message) return false;
        monitor_.on_market_data(*message, out);
    } else {
        const auto change = decode_order_event(catalog_, record.payload, error);
        if (!change) return false;
        monitor_.on_order(*change, out);
    }
    warm_up_alerts_.clear();
    return true;
}

void SurveillanceSink::flush() {
    if (pending_.empty()) return;
    store_.add(pending_);
    if (alerts_topic_) {
        for (const auto& alert : pending_) {
            payload_.clear();
            encode_alert(catalog_, alert, payload_);
            alerts_topic_->send(catalog_.markets[alert.market].symbol, payload_);
        }
        alerts_topic_->flush();
    }
    alerts_ += pending_.size();
    if (listener_) {
        for (const auto& alert : pending_) listener_(alert);
    }
    pending_.clear();
}

SurveillanceMember::SurveillanceMember(const MarketCatalog& catalog,
                                       const SurveillanceOptions& options,
                                       SurveillanceMemberOptions member, AlertListener listener)
    : groups_{member.group},
      monitor_(catalog, options, groups_),
      store_(catalog, member.postgres),
      sink_(catalog, monitor_, store_, member.market_data_topic, member.order_events_topic,
            std::make_unique<KafkaTopicSink>(
                KafkaProducerOptions{.brokers = member.consumer.consumer.brokers},
                member.alerts_topic),
            member.warm_up, std::move(listener)),
      consumer_(std::move(member.consumer), sink_) {}

// ---- the exchange's relay -----------------------------------------------------------------------

bool AlertRelaySink::take(const KafkaRecord& record, std::string& error) {
    const auto alert = decode_alert(catalog_, record.payload, error);
    if (!alert) return false;
    listener_(*alert);
    return true;
}

void AlertRelaySink::on_assigned(std::vector<KafkaAssignment>& partitions) {
    for (auto& p : partitions) {
        if (p.committed < 0) p.start = KafkaAssignment::kEnd;
    }
}

// ---- embedded mode -----------------------------------------------------------------------------

SurveillanceFollower::SurveillanceFollower(const MarketCatalog&, SurveillanceMonitor& monitor,
                                           SqliteAlertStore& store, AlertListener listener)
    : monitor_(monitor), store_(store), listener_(std::move(listener)) {}

Sequence SurveillanceFollower::position() {
    return store_.position();
}

void SurveillanceFollower::consume(std::span<const JournalRecord> records) {
    for (const auto& record : records) {
        // A batch whose store failed comes again: its records are in the detectors already,
        // its alerts still pending.
        if (record.sequence <= fed_) continue;
        fed_ = record.sequence;
        market_data_messages(record, scratch_, [&](const MarketDataMessage& message, MarketId) {
            monitor_.on_market_data(message, pending_);
        });
        Sequence sequence = 0;
        std::uint32_t change = 0;
        project(
            record.sequence, record.timestamp, record.command, record.events,
            [&](OrderId id) -> const OrderRecord* {
                const auto it = open_orders_.find(id);
                return it == open_orders_.end() ? nullptr : &it->second;
            },
            [&](const OrderRecord& order) {
                change = order.sequence == sequence ? change + 1 : 0;
                sequence = order.sequence;
                monitor_.on_order(OrderChange{order, change}, pending_);
                if (order.open()) {
                    open_orders_[order.id] = order;
                } else {
                    open_orders_.erase(order.id);
                }
            });
    }
    store_.add(pending_, records.back().sequence);
    if (listener_) {
        for (const auto& alert : pending_) listener_(alert);
    }
    pending_.clear();
}

}  // namespace xtrader
