#include "xtrader/api/order_view.hpp"

#include <algorithm>
#include <mutex>

#include "xtrader/consumers/order_projection.hpp"

namespace xtrader::api {

void OrderView::update(const OrderRecord& record) {
    const bool was_open = [&] {
        const auto it = orders_.find(record.id);
        return it != orders_.end() && it->second.open();
    }();
    orders_[record.id] = record;
    if (!record.client_order_id.empty()) {
        // Ids grow: the newest order with a client id (ids are reusable once closed) wins.
        auto& mine = by_client_id_[record.account];
        auto [it, added] = mine.try_emplace(std::string(record.client_order_id.view()), record.id);
        if (!added && it->second < record.id) it->second = record.id;
    }
    if (record.open()) {
        open_by_account_[record.account].insert(record.id);
        return;
    }
    if (was_open) open_by_account_[record.account].erase(record.id);
    finished_by_account_[record.account].push_back(record.id);
    finished_.push_back(record.id);
    while (finished_.size() > finished_retention_) {
        const OrderId oldest = finished_.front();
        finished_.pop_front();
        const auto it = orders_.find(oldest);
        if (it == orders_.end()) continue;
        const OrderRecord& dropped = it->second;
        auto& mine = finished_by_account_[dropped.account];
        if (!mine.empty() && mine.front() == oldest) mine.pop_front();
        if (!dropped.client_order_id.empty()) {
            auto& ids = by_client_id_[dropped.account];
            const auto entry = ids.find(dropped.client_order_id.view());
            if (entry != ids.end() && entry->second == oldest) ids.erase(entry);
        }
        orders_.erase(it);
    }
}

void OrderView::on_committed(const CommandReply& reply) {
    std::unique_lock lock(mutex_);
    project(
        reply.sequence, reply.timestamp, *reply.command, reply.events,
        [this](OrderId id) -> const OrderRecord* {
            const auto it = orders_.find(id);
            return it == orders_.end() ? nullptr : &it->second;
        },
        [this](const OrderRecord& record) {
            update(record);
            if (listener_) listener_(record);
        });
}

void OrderView::load(const std::vector<OrderRecord>& orders) {
    std::unique_lock lock(mutex_);
    for (const auto& record : orders) update(record);
}

std::optional<OrderRecord> OrderView::find(OrderId id) const {
    std::shared_lock lock(mutex_);
    const auto it = orders_.find(id);
    if (it == orders_.end()) return std::nullopt;
    return it->second;
}

std::optional<OrderRecord> OrderView::find_by_client_id(
    AccountId account, const ClientOrderId& client_order_id) const {
    std::shared_lock lock(mutex_);
    const auto ids = by_client_id_.find(account);
    if (ids == by_client_id_.end()) return std::nullopt;
    const auto entry = ids->second.find(client_order_id.view());
    if (entry == ids->second.end()) return std::nullopt;
    return orders_.at(entry->second);
}

std::vector<OrderRecord> OrderView::open_orders(AccountId account,
                                                std::optional<MarketId> market) const {
    std::vector<OrderRecord> out;
    std::shared_lock lock(mutex_);
    const auto it = open_by_account_.find(account);
    if (it == open_by_account_.end()) return out;
    for (OrderId id : it->second) {
        const auto& record = orders_.at(id);
        if (!market || record.market == *market) out.push_back(record);
    }
    lock.unlock();
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    return out;
}

std::vector<OrderRecord> OrderView::finished_orders(AccountId account,
                                                    std::optional<MarketId> market,
                                                    std::size_t limit,
                                                    std::optional<OrderId> before) const {
    std::vector<const OrderRecord*> matching;
    std::shared_lock lock(mutex_);
    const auto it = finished_by_account_.find(account);
    if (it == finished_by_account_.end()) return {};
    for (const OrderId id : it->second) {
        const auto found = orders_.find(id);
        if (found == orders_.end() || (before && id >= *before)) continue;
        if (!market || found->second.market == *market) matching.push_back(&found->second);
    }
    const auto newest =
        matching.begin() + static_cast<std::ptrdiff_t>(std::min(limit, matching.size()));
    std::partial_sort(matching.begin(), newest, matching.end(),
                      [](const OrderRecord* a, const OrderRecord* b) { return a->id > b->id; });
    std::vector<OrderRecord> out;
    out.reserve(static_cast<std::size_t>(newest - matching.begin()));
    for (auto i = matching.begin(); i != newest; ++i) out.push_back(**i);
    return out;
}

bool OrderView::forgets() const {
    std::shared_lock lock(mutex_);
    return finished_.size() >= finished_retention_;
}

}  // namespace xtrader::api
