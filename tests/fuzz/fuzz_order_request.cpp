// POST /v1/order, PATCH /v1/order/{id} and the cancel forms: any body is an engine command that
// passes the market's own checks, or an error with a status and a code; nothing crashes.
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
        const auto on_tick = [&m](xtrader::Price price) {
            return price > 0 && price % m.tick_size == 0 && price <= m.max_price;
        };
        if (place->account != 7 || place->quantity <= 0 || place->quantity % m.lot_size != 0 ||
            (xtrader::has_limit_price(place->type) ? !on_tick(place->price) : place->price != 0) ||
            (xtrader::is_stop(place->type) ? !on_tick(place->stop_price)
                                           : place->stop_price != 0)) {
            std::abort();
        }
    } else if (std::get<xtrader::api::ApiError>(order).code.empty()) {
        std::abort();
    }
    const auto amend = xtrader::api::decode_amend_order(body, catalog.markets[0]);
    if (const auto* a = std::get_if<xtrader::AmendOrder>(&amend)) {
        const auto& m = catalog.markets[0];
        if ((a->new_price == 0 && a->new_quantity == 0) || a->new_price < 0 ||
            a->new_price % m.tick_size != 0 || a->new_quantity < 0 ||
            a->new_quantity % m.lot_size != 0) {
            std::abort();
        }
    }
    // A cursor read back encodes to what it read.
    if (const auto cursor = xtrader::api::decode_cursor(body)) {
        const auto again = xtrader::api::decode_cursor(xtrader::api::encode_cursor(*cursor));
        if (!again || again->time != cursor->time || again->id != cursor->id) std::abort();
    }
    (void)xtrader::api::decode_cancel_body(body);
    (void)xtrader::api::decode_order_id(body);
    return 0;
}
