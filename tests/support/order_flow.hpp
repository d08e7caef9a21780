// A seeded stream of realistic commands for the sequencer tests: funding, then limit orders
// around a mid price with IOCs, market orders, cancels and price amendments of earlier orders;
// with `every_kind`, also stop orders, quantity amendments and cancel-alls (commands a journal
// of payload version 2 could not hold).
#pragma once

#include <random>

#include "test_markets.hpp"
#include "xtrader/core/clock.hpp"

namespace xtrader::testing {

class OrderFlow {
  public:
    explicit OrderFlow(std::uint64_t seed, AccountId accounts = 10, bool every_kind = false)
        : rng_(seed), accounts_(accounts), every_kind_(every_kind) {}

    // Deposits that let every account trade for a long time.
    std::vector<CommandBody> funding() const {
        std::vector<CommandBody> out;
        for (AccountId a = 1; a <= accounts_; ++a) {
            out.push_back(Deposit{a, kUsd, 1'000'000'000});
            out.push_back(Deposit{a, kTst, 10'000'000});
        }
        return out;
    }

    // `sequence` is the sequence this command will get: the id if it places an order.
    CommandBody next(Sequence sequence) {
        const auto roll = pick(0, 99);
        const auto account = static_cast<AccountId>(pick(1, accounts_));
        if (roll < 20 && !placed_.empty()) {
            const auto& [id, owner] =
                placed_[static_cast<std::size_t>(pick(0, placed_.size() - 1))];
            if (roll < 12) return CancelOrder{owner, id};
            if (every_kind_ && roll < 14) return AmendOrder{owner, id, 0, pick(1, 60)};
            if (every_kind_ && roll < 15) return CancelAllOrders{owner, kTstUsd};
            return AmendOrder{owner, id, 1000 + pick(-15, 15)};
        }
        const Side side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        const Price offset = pick(-3, 20);
        PlaceOrder p{account,
                     kTstUsd,
                     side,
                     OrderType::Limit,
                     roll < 28 ? TimeInForce::IOC : TimeInForce::GTC,
                     false,
                     side == Side::Buy ? 1000 - offset : 1000 + offset,
                     pick(1, 50)};
        if (roll % 4 == 0)
            p.client_order_id = *ClientOrderId::parse("o" + std::to_string(sequence));
        if (roll >= 95) {
            p.type = OrderType::Market;
            p.price = 0;
        } else if (every_kind_ && roll >= 90) {
            // Buys stop above the mid, sells below: they trigger as the price wanders.
            p.type = roll >= 93 ? OrderType::StopMarket : OrderType::StopLimit;
            p.tif = TimeInForce::GTC;
            p.stop_price = side == Side::Buy ? 1000 + pick(1, 10) : 1000 - pick(1, 10);
            p.price = p.type == OrderType::StopLimit ? p.stop_price : 0;
        }
        placed_.emplace_back(sequence, account);
        if (placed_.size() > 2000) placed_.erase(placed_.begin(), placed_.begin() + 1000);
        return p;
    }

  private:
    std::int64_t pick(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
    }

    std::mt19937_64 rng_;
    AccountId accounts_;
    bool every_kind_;
    std::vector<std::pair<OrderId, AccountId>> placed_;
};

class StepClock final : public Clock {
  public:
    Timestamp now() noexcept override { return t_ += 1000; }

  private:
    Timestamp t_ = 1'700'000'000'000'000'000;
};

}  // namespace xtrader::testing
