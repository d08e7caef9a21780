// The API's read model of orders: every open order and the most recent finished ones, for
// GET /v1/order/{id}, GET /v1/orders and client_order_id look-ups.
//
// Written only by the sequencer's completion thread (a CommitObserver), before the reply of the
// command that changed it is sent, so a client that got its answer finds the order at once.
// Read by io threads under a shared lock; the matching path itself takes no lock. Finished
// orders are kept up to `finished_retention`, oldest dropped first (older ones are in the trade
// store); open orders are always kept.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "xtrader/sequencer/sequencer.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader::api {

class OrderView final : public CommitObserver {
  public:
    explicit OrderView(std::size_t finished_retention = 100'000)
        : finished_retention_(finished_retention) {
        orders_.reserve(2 * finished_retention_);  // no rehash stalls the commit path later
    }

    void on_committed(const CommandReply& reply) override;
    // Called with every changed order, on the completion thread, before the reply: the WebSocket
    // `orders` channel. Set before the sequencer starts.
    void set_listener(std::function<void(const OrderRecord&)> listener) {
        listener_ = std::move(listener);
    }
    // Start-up: orders from the trade store, before the sequencer starts.
    void load(const std::vector<OrderRecord>& orders);

    std::optional<OrderRecord> find(OrderId id) const;
    // The account's most recent order with that client_order_id, if the view still has it.
    std::optional<OrderRecord> find_by_client_id(AccountId account,
                                                 const ClientOrderId& client_order_id) const;
    // Open orders of the account (all markets when market is nullopt), newest first.
    std::vector<OrderRecord> open_orders(AccountId account, std::optional<MarketId> market) const;
    // Finished orders still retained, newest first (by id, as OrderHistory::closed_orders), at
    // most `limit`, those below `before` when given. O(the account's retained finished orders).
    std::vector<OrderRecord> finished_orders(AccountId account, std::optional<MarketId> market,
                                             std::size_t limit,
                                             std::optional<OrderId> before = {}) const;
    // Whether the view is full of finished orders: older ones may then be in the store only.
    bool forgets() const;

  private:
    void update(const OrderRecord& record);  // under the write lock

    mutable std::shared_mutex mutex_;
    std::unordered_map<OrderId, OrderRecord> orders_;
    std::unordered_map<AccountId, std::unordered_set<OrderId>> open_by_account_;
    std::unordered_map<AccountId, std::deque<OrderId>> finished_by_account_;
    std::deque<OrderId> finished_;  // all accounts, oldest first, for retention
    // Per account, client_order_id -> its most recent order. Ordered, not hashed: ids are the
    // client's choice, and a crafted set cannot degrade a tree.
    std::unordered_map<AccountId, std::map<std::string, OrderId, std::less<>>> by_client_id_;
    std::size_t finished_retention_;
    std::function<void(const OrderRecord&)> listener_;
};

}  // namespace xtrader::api
