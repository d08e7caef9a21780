#include "xtrader/consumers/trade_recorder.hpp"

#include "xtrader/consumers/order_projection.hpp"

namespace xtrader {

TradeRecorder::TradeRecorder(TradeStore& store, std::function<Sequence()> published)
    : store_(store), published_(std::move(published)), position_(store.position()) {
    for (auto& order : store_.open_orders()) open_.emplace(order.id, std::move(order));
}

void TradeRecorder::consume(std::span<const JournalRecord> records) {
    TradeBatch batch;
    // The batch's changes, over the open orders: applied to them only once the write succeeded,
    // so a failed write leaves everything as it was.
    std::unordered_map<OrderId, std::size_t> changed;  // order -> index in batch.orders
    for (const auto& record : records) {
        for (const auto& event : record.events) {
            if (const auto* trade = std::get_if<Trade>(&event)) {
                auto [taker, maker] = execution_rows(*trade, record.timestamp, record.sequence);
                batch.executions.push_back(taker);
                batch.executions.push_back(maker);
            }
        }
        project(
            record.sequence, record.timestamp, record.command, record.events,
            [&](OrderId id) -> const OrderRecord* {
                if (const auto it = changed.find(id); it != changed.end()) {
                    const OrderRecord& latest = batch.orders[it->second];
                    return latest.open() ? &latest : nullptr;
                }
                const auto it = open_.find(id);
                return it == open_.end() ? nullptr : &it->second;
            },
            [&](const OrderRecord& order) {
                if (published_) batch.order_events.push_back(order);
                const auto [it, fresh] = changed.try_emplace(order.id, batch.orders.size());
                if (fresh) {
                    batch.orders.push_back(order);
                } else {
                    batch.orders[it->second] = order;
                }
            });
    }
    batch.position = records.back().sequence;
    if (published_) batch.published_order_events = published_();
    store_.write(batch);
    for (auto& order : batch.orders) {
        if (order.open()) {
            open_.insert_or_assign(order.id, std::move(order));
        } else {
            open_.erase(order.id);
        }
    }
    position_ = batch.position;
}

}  // namespace xtrader
