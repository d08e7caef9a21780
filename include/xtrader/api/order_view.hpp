// The API's read model of orders: every order's current state, for GET /v1/order/{id},
// GET /v1/orders and client_order_id look-ups.
//
// Written only by the sequencer's completion thread (a CommitObserver), before the reply of the
// command that changed it is sent, so a client that got its answer finds the order at once.
// Read by io threads under a shared lock: the matching path itself takes no lock. Finished
// orders are kept up to `finished_retention`, oldest dropped first; open orders are always kept.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <shared_mutex>
#include <span>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::api {

enum class OrderStatus : std::uint8_t { Pending, PartiallyFilled, Filled, Cancelled, Rejected };
std::string_view to_string(OrderStatus status) noexcept;

struct OrderRecord {
    OrderId id = 0;
    AccountId account = 0;
    MarketId market = 0;
    Side side = Side::Buy;
    OrderType type = OrderType::Limit;
    TimeInForce tif = TimeInForce::GTC;
    bool post_only = false;
    Price price = 0;
    Quantity quantity = 0;
    Quantity filled = 0;
    Int128 price_volume = 0;  // sum of price * quantity over fills, for the average price
    OrderStatus status = OrderStatus::Pending;
    RejectReason reject_reason = RejectReason::None;
    CancelReason cancel_reason = CancelReason::Requested;
    ClientOrderId client_order_id;
    Timestamp created = 0;
    Timestamp updated = 0;
    Sequence sequence = 0;  // of the last change

    Quantity remaining() const noexcept {
        return status == OrderStatus::Cancelled || status == OrderStatus::Rejected
                   ? 0
                   : quantity - filled;
    }
    bool open() const noexcept {
        return status == OrderStatus::Pending || status == OrderStatus::PartiallyFilled;
    }
    Price average_price() const noexcept {
        return filled == 0 ? 0 : static_cast<Price>(price_volume / filled);
    }
};

// The order a PlaceOrder created, as its events left it: the POST /v1/order answer. nullopt when
// it created none (a validation refusal, or a duplicate client_order_id).
std::optional<OrderRecord> placed_order(const CommandReply& reply);

class OrderView final : public CommitObserver {
  public:
    explicit OrderView(std::size_t finished_retention = 1 << 20)
        : finished_retention_(finished_retention) {}

    void on_committed(const CommandReply& reply) override;

    std::optional<OrderRecord> find(OrderId id) const;
    // Open orders of the account (all markets when market is nullopt), newest first.
    std::vector<OrderRecord> open_orders(AccountId account, std::optional<MarketId> market) const;
    // Finished orders still retained, newest first, at most `limit`.
    std::vector<OrderRecord> finished_orders(AccountId account, std::optional<MarketId> market,
                                             std::size_t limit) const;

  private:
    void update(const OrderRecord& record);  // under the write lock

    mutable std::shared_mutex mutex_;
    std::unordered_map<OrderId, OrderRecord> orders_;
    std::unordered_map<AccountId, std::unordered_set<OrderId>> open_by_account_;
    std::unordered_map<AccountId, std::deque<OrderId>> finished_by_account_;
    std::deque<OrderId> finished_;  // all accounts, oldest first, for retention
    std::size_t finished_retention_;
};

}  // namespace xtrader::api
