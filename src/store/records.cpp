#include "xtrader/store/records.hpp"

namespace xtrader {

std::string_view to_string(OrderStatus status) noexcept {
    switch (status) {
        case OrderStatus::Pending: return "Pending";
        case OrderStatus::PartiallyFilled: return "PartiallyFilled";
        case OrderStatus::Filled: return "Filled";
        case OrderStatus::Cancelled: return "Cancelled";
        case OrderStatus::Rejected: return "Rejected";
        case OrderStatus::Untriggered: return "Untriggered";
    }
    return "Pending";
}

std::optional<OrderStatus> parse_order_status(std::string_view text) noexcept {
    for (const auto status :
         {OrderStatus::Pending, OrderStatus::PartiallyFilled, OrderStatus::Filled,
          OrderStatus::Cancelled, OrderStatus::Rejected, OrderStatus::Untriggered}) {
        if (to_string(status) == text) return status;
    }
    return std::nullopt;
}

}  // namespace xtrader
