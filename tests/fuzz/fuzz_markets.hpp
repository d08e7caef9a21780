// The market the fuzz targets decode against: BTC-KRW with the shipped configuration's scales.
#pragma once

#include "xtrader/core/market.hpp"

namespace xtrader::fuzz {

inline MarketCatalog catalog() {
    MarketCatalog catalog;
    catalog.assets = {{"KRW", 4}, {"BTC", 8}};
    MarketSpec m;
    m.symbol = "BTC-KRW";
    m.base = 1;
    m.quote = 0;
    m.price_scale = 0;
    m.qty_scale = 4;
    m.tick_size = 1000;
    m.lot_size = 1;
    m.min_quantity = 1;
    m.max_quantity = 10'000'000;
    m.max_price = 10'000'000'000;
    m.maker_fee_ppm = 500;
    m.taker_fee_ppm = 500;
    catalog.markets = {m};
    catalog.validate();
    return catalog;
}

}  // namespace xtrader::fuzz
