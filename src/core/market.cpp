#include "xtrader/core/market.hpp"

#include <limits>

#include "xtrader/core/decimal.hpp"

namespace xtrader {

namespace {
bool client_id_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '_' || c == ':' || c == '-';
}
}  // namespace

std::optional<ClientOrderId> ClientOrderId::parse(std::string_view text) noexcept {
    if (text.empty() || text.size() > kMaxSize) return std::nullopt;
    ClientOrderId id;
    for (char c : text) {
        if (!client_id_char(c)) return std::nullopt;
        id.chars_[id.size_++] = c;
    }
    return id;
}

bool ClientOrderId::well_formed() const noexcept {
    if (size_ > kMaxSize) return false;
    for (std::size_t i = 0; i < kMaxSize; ++i) {
        if (i < size_ ? !client_id_char(chars_[i]) : chars_[i] != 0) return false;
    }
    return true;
}

std::string_view to_string(Side side) noexcept {
    return side == Side::Buy ? "Buy" : "Sell";
}

std::string_view to_string(OrderType type) noexcept {
    switch (type) {
        case OrderType::Limit: return "Limit";
        case OrderType::Market: return "Market";
        case OrderType::StopLimit: return "StopLimit";
        case OrderType::StopMarket: return "StopMarket";
    }
    return "Limit";
}

std::string_view to_string(TimeInForce tif) noexcept {
    switch (tif) {
        case TimeInForce::GTC: return "GTC";
        case TimeInForce::IOC: return "IOC";
        case TimeInForce::FOK: return "FOK";
    }
    return "GTC";
}

std::optional<Side> parse_side(std::string_view text) noexcept {
    for (const auto side : {Side::Buy, Side::Sell}) {
        if (to_string(side) == text) return side;
    }
    return std::nullopt;
}

std::optional<OrderType> parse_order_type(std::string_view text) noexcept {
    for (const auto type :
         {OrderType::Limit, OrderType::Market, OrderType::StopLimit, OrderType::StopMarket}) {
        if (to_string(type) == text) return type;
    }
    return std::nullopt;
}

std::optional<TimeInForce> parse_time_in_force(std::string_view text) noexcept {
    for (const auto tif : {TimeInForce::GTC, TimeInForce::IOC, TimeInForce::FOK}) {
        if (to_string(tif) == text) return tif;
    }
    return std::nullopt;
}

std::string MarketCatalog::validate() {
    constexpr auto kMax = static_cast<Int128>(std::numeric_limits<std::int64_t>::max());
    for (std::size_t i = 0; i < assets.size(); ++i) {
        const auto& asset = assets[i];
        if (asset.name.empty()) return "an asset has no name";
        if (asset.scale < 0 || asset.scale > 18)
            return "asset " + asset.name + ": scale not in 0..18";
        for (std::size_t j = 0; j < i; ++j) {
            if (assets[j].name == asset.name) return "asset " + asset.name + " is defined twice";
        }
    }
    for (std::size_t i = 0; i < markets.size(); ++i) {
        auto& m = markets[i];
        const std::string where = "market " + m.symbol + ": ";
        if (m.symbol.empty()) return "a market has no symbol";
        for (std::size_t j = 0; j < i; ++j) {
            if (markets[j].symbol == m.symbol) return where + "defined twice";
        }
        if (m.base >= assets.size() || m.quote >= assets.size() || m.base == m.quote) {
            return where + "base and quote must be two different configured assets";
        }
        const auto& base = assets[m.base];
        const auto& quote = assets[m.quote];
        if (m.qty_scale < 0 || m.qty_scale > base.scale) {
            return where + "quantity scale must be within 0.." + std::to_string(base.scale);
        }
        if (m.price_scale < 0 || m.price_scale + m.qty_scale > quote.scale) {
            return where +
                   "price scale + quantity scale must not exceed the quote asset's scale (" +
                   std::to_string(quote.scale) + ")";
        }
        if (m.tick_size <= 0 || m.lot_size <= 0)
            return where + "tick and lot size must be positive";
        if (m.min_quantity <= 0 || m.min_quantity % m.lot_size != 0) {
            return where + "minimum quantity must be a positive multiple of the lot size";
        }
        if (m.max_quantity < m.min_quantity) return where + "maximum quantity is below the minimum";
        if (m.max_price <= 0 || m.max_price % m.tick_size != 0) {
            return where + "maximum price must be a positive multiple of the tick size";
        }
        if (m.taker_fee_ppm > 1'000'000 || m.maker_fee_ppm > m.taker_fee_ppm) {
            // A buy holds price * quantity plus the taker fee; a maker fee above it could not be
            // covered by the hold.
            return where + "fees must satisfy maker <= taker <= 100%";
        }
        if (m.price_band_ppm > 1'000'000) return where + "the price band must not exceed 100%";
        m.base_multiplier = pow10(base.scale - m.qty_scale);
        m.quote_multiplier = pow10(quote.scale - m.price_scale - m.qty_scale);
        const Int128 max_notional =
            static_cast<Int128>(m.max_price) * m.max_quantity * m.quote_multiplier;
        if (max_notional * 2 > kMax ||
            static_cast<Int128>(m.max_quantity) * m.base_multiplier > kMax) {
            return where + "maximum price x maximum quantity does not fit in 63 bits";
        }
    }
    return {};
}

const MarketSpec* MarketCatalog::find(std::string_view symbol) const noexcept {
    for (const auto& m : markets) {
        if (m.symbol == symbol) return &m;
    }
    return nullptr;
}

const AssetSpec* MarketCatalog::find_asset(std::string_view name) const noexcept {
    for (const auto& a : assets) {
        if (a.name == name) return &a;
    }
    return nullptr;
}

}  // namespace xtrader
