// POST /v1/order and the cancel forms: any body is an engine command that passes the market's
// own checks, or an error with a status and a code; nothing crashes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "btc_krw.hpp"
#include "xtrader/api/order_requests.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto catalog = xtrader::testing::btc_krw_catalog();
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    const auto order = xtrader::api::decode_place_order(body, catalog, 7);
    if (const auto* place = std::get_if<xtrader::PlaceOrder>(&order)) {
        const auto& m = catalog.markets[place->market];
        if (place->account != 7 || place->quantity <= 0 || place->quantity % m.lot_size != 0 ||
            (place->type == xtrader::OrderType::Limit &&
             (place->price <= 0 || place->price % m.tick_size != 0 ||
              place->price > m.max_price))) {
            std::abort();
        }
    } else if (std::get<xtrader::api::ApiError>(order).code.empty()) {
        std::abort();
    }
    (void)xtrader::api::decode_cancel_body(body);
    (void)xtrader::api::decode_order_id(body);
    return 0;
}
