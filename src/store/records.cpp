#include "xtrader/store/records.hpp"

namespace xtrader {

std::string_view to_string(OrderStatus status) noexcept {
    switch (status) {
        case OrderStatus::Pending: return "Pending";
        case OrderStatus::PartiallyFilled: return "PartiallyFilled";
        case OrderStatus::Filled: return "Filled";
        case OrderStatus::Cancelled: return "Cancelled";
        case OrderStatus::Rejected: return "Rejected";
    }
    return "Pending";
}

}  // namespace xtrader
