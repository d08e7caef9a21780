#include "xtrader/consumers/order_history_sink.hpp"

#include "xtrader/consumers/order_event_codec.hpp"

namespace xtrader {

namespace {

bool later(const OrderChange& a, const OrderChange& b) {
    return std::pair(a.order.sequence, a.change) > std::pair(b.order.sequence, b.change);
}

}  // namespace

bool OrderHistorySink::take(const KafkaRecord& record, std::string& error) {
    auto change = decode_order_event(catalog_, record.payload, error);
    if (!change) return false;
    const auto [it, fresh] = index_.try_emplace(change->order.id, pending_.size());
    if (fresh) {
        pending_.push_back(std::move(*change));
    } else if (later(*change, pending_[it->second])) {
        pending_[it->second] = std::move(*change);
    } else {
        duplicates_.fetch_add(1, std::memory_order_relaxed);
    }
    return true;
}

void OrderHistorySink::flush() {
    if (pending_.empty()) return;
    if (!migrated_) {
        PostgresStore::migrate(store_.dsn());
        migrated_ = true;
    }
    const std::size_t changed = store_.upsert_orders(pending_);
    // A row that did not change already held this change or a later one.
    duplicates_.fetch_add(pending_.size() - changed, std::memory_order_relaxed);
    pending_.clear();
    index_.clear();
}

}  // namespace xtrader
