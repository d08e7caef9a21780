#include "xtrader/consumers/trade_recorder.hpp"

#include "xtrader/consumers/order_projection.hpp"

namespace xtrader {

TradeRecorder::TradeRecorder(TradeStore& store) : store_(store), position_(store.position()) {
    for (auto& order : store_.open_orders()) open_.emplace(order.id, std::move(order));
}

void TradeRecorder::consume(std::span<const JournalRecord> records) {
    TradeBatch batch;
    // Changes go to a copy of the open orders, so that a failed write leaves them as they were.
    auto open = open_;
    std::unordered_map<OrderId, std::size_t> written;  // order -> index in batch.orders
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
                const auto it = open.find(id);
                return it == open.end() ? nullptr : &it->second;
            },
            [&](const OrderRecord& order) {
                if (order.open()) {
                    open[order.id] = order;
                } else {
                    open.erase(order.id);
                }
                const auto [it, fresh] = written.try_emplace(order.id, batch.orders.size());
                if (fresh) {
                    batch.orders.push_back(order);
                } else {
                    batch.orders[it->second] = order;
                }
            });
    }
    batch.position = records.back().sequence;
    store_.write(batch);
    open_ = std::move(open);
    position_ = batch.position;
}

}  // namespace xtrader
