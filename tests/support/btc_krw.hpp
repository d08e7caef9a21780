// One market, BTC-KRW with the shipped configuration's scales (KRW 4 decimals, BTC 8, tick 1000,
// lot 0.0001), validated: for tests and fuzz targets that need a catalog and nothing else (no
// GoogleTest).
#pragma once

#include "xtrader/core/market.hpp"

namespace xtrader::testing {

inline MarketCatalog btc_krw_catalog() {
    MarketCatalog c;
    c.assets = {{"KRW", 4}, {"BTC", 8}};
    MarketSpec m;
    m.symbol = "BTC-KRW";
    m.base = 1;
    m.quote = 0;
    m.price_scale = 0;
    m.qty_scale = 4;
    m.tick_size = 1000;
    m.lot_size = 1;
    m.min_quantity = 1;
    m.max_quantity = 100'000'000;
    m.max_price = 10'000'000'000;
    m.maker_fee_ppm = 500;
    m.taker_fee_ppm = 500;
    c.markets = {m};
    c.validate();  // derives the conversions; the catalog is valid by construction
    return c;
}

}  // namespace xtrader::testing
