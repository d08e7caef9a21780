// Assets and market specifications, loaded once from configuration and immutable afterwards.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "xtrader/core/types.hpp"

namespace xtrader {

struct AssetSpec {
    std::string name;  // "BTC"
    int scale = 0;     // an amount of 1 unit is 10^-scale of the asset
};

// Fees are in parts per million of the notional, charged in the quote asset on both sides and
// rounded down to the quote asset's unit (see docs/ENGINE.md for why down).
struct MarketSpec {
    std::string symbol;  // "BTC-KRW"
    AssetId base = 0;
    AssetId quote = 0;
    int price_scale = 0;    // price units per quote = 10^price_scale
    int qty_scale = 0;      // quantity units per base = 10^qty_scale
    Price tick_size = 1;    // prices are multiples of this
    Quantity lot_size = 1;  // quantities are multiples of this
    Quantity min_quantity = 1;
    Quantity max_quantity = 0;
    Price max_price = 0;
    std::uint32_t maker_fee_ppm = 0;
    std::uint32_t taker_fee_ppm = 0;
    // Limit orders priced further than this from the market's last trade are refused
    // (PriceOutOfBand); 0 = no band. Before the first trade every price is in band.
    std::uint32_t price_band_ppm = 0;

    // Derived by validate(): base amount = quantity * base_multiplier; quote amount (notional) =
    // price * quantity * quote_multiplier. Both conversions are exact by construction.
    Amount base_multiplier = 1;
    Amount quote_multiplier = 1;
};

// The configured assets and markets; ids are indices into the vectors.
struct MarketCatalog {
    std::vector<AssetSpec> assets;
    std::vector<MarketSpec> markets;

    // Checks every market against its assets and fills the derived fields. Returns an empty
    // string when valid, otherwise a sentence naming the first problem. A valid market cannot
    // overflow int64 anywhere: max_price * max_quantity * quote_multiplier plus the taker fee
    // fits, so matching never needs a wider type than a checked 128-bit intermediate.
    std::string validate();

    const MarketSpec* find(std::string_view symbol) const noexcept;
    const AssetSpec* find_asset(std::string_view name) const noexcept;
};

// Quote amount of price * quantity, and fees on it; only valid for a validated market and
// price/quantity within its bounds.
constexpr Amount notional(const MarketSpec& m, Price price, Quantity quantity) noexcept {
    return price * quantity * m.quote_multiplier;
}
constexpr Amount fee_on(Amount notional, std::uint32_t fee_ppm) noexcept {
    return static_cast<Amount>((static_cast<Int128>(notional) * fee_ppm) / 1'000'000);
}

}  // namespace xtrader
