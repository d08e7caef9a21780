// Readable gtest output for events and balances (instead of raw bytes).
#pragma once

#include <ostream>
#include <tuple>

#include "xtrader/engine/event.hpp"
#include "xtrader/engine/ledger.hpp"

namespace xtrader {

namespace printing {
template <class... T>
void fields(std::ostream& os, const char* name, const T&... values) {
    os << name << "{";
    const char* sep = "";
    ((os << sep << +values, sep = ", "), ...);
    os << "}";
}
template <class E>
auto operator+(E e) -> std::enable_if_t<std::is_enum_v<E>, int> {
    return static_cast<int>(e);
}
}  // namespace printing

inline void PrintTo(const Event& event, std::ostream* os) {
    using printing::fields;
    std::visit(
        [os](const auto& e) {
            using T = std::decay_t<decltype(e)>;
            if constexpr (std::is_same_v<T, OrderAccepted>) {
                fields(*os, "OrderAccepted", e.order_id, e.account, e.market, int(e.side),
                       int(e.type), int(e.tif), e.post_only, e.price, e.quantity);
            } else if constexpr (std::is_same_v<T, Trade>) {
                fields(*os, "Trade", e.exec_id, e.market, e.price, e.quantity, e.taker_order_id,
                       e.maker_order_id, e.taker_account, e.maker_account, int(e.taker_side),
                       e.taker_fee, e.maker_fee, e.taker_remaining, e.maker_remaining);
            } else if constexpr (std::is_same_v<T, OrderCancelled>) {
                fields(*os, "OrderCancelled", e.order_id, e.account, e.market, e.remaining,
                       int(e.reason));
            } else if constexpr (std::is_same_v<T, OrderMoved>) {
                fields(*os, "OrderMoved", e.order_id, e.account, e.market, e.old_price, e.new_price,
                       e.remaining);
            } else if constexpr (std::is_same_v<T, CommandRejected>) {
                fields(*os, "CommandRejected", e.order_id, e.account, int(e.reason));
            } else if constexpr (std::is_same_v<T, BookLevelChanged>) {
                fields(*os, "BookLevelChanged", e.market, int(e.side), e.price, e.volume,
                       e.order_count);
            } else if constexpr (std::is_same_v<T, FundsDeposited>) {
                fields(*os, "FundsDeposited", e.account, e.asset, e.amount);
            } else if constexpr (std::is_same_v<T, BookVersion>) {
                fields(*os, "BookVersion", e.market, e.version);
            } else if constexpr (std::is_same_v<T, OrderResized>) {
                fields(*os, "OrderResized", e.order_id, e.account, e.market, e.old_quantity,
                       e.new_quantity, e.remaining);
            } else if constexpr (std::is_same_v<T, MarketHaltChanged>) {
                fields(*os, "MarketHaltChanged", e.market, e.halted);
            } else if constexpr (std::is_same_v<T, StopTriggered>) {
                fields(*os, "StopTriggered", e.order_id, e.account, e.market, e.stop_price,
                       e.price);
            } else {
                fields(*os, "FundsWithdrawn", e.account, e.asset, e.amount);
            }
        },
        event);
}

inline void PrintTo(const Balance& b, std::ostream* os) {
    *os << "{available " << b.available << ", held " << b.held << "}";
}

}  // namespace xtrader
