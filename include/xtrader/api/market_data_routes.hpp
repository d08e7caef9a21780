// The public market-data routes: GET /api/v1/markets, /orderbook/{symbol}, /executions/{symbol},
// /statistics/{symbol}, /klines/{symbol}/{interval}. Answered on the io thread from the
// market-data publisher's in-memory state; no key needed. Thread-safe.
#pragma once

#include <string_view>

#include "xtrader/api/market_status.hpp"
#include "xtrader/api/rest_call.hpp"
#include "xtrader/consumers/market_data.hpp"

namespace xtrader::api {

class MarketDataRoutes {
  public:
    MarketDataRoutes(const MarketCatalog& catalog, const MarketData& market_data,
                     const MarketStatus& status);

    void markets(const RestCallPtr& call);
    void order_book(const RestCallPtr& call, std::string_view symbol);
    void trades(const RestCallPtr& call, std::string_view symbol);
    void statistics(const RestCallPtr& call, std::string_view symbol);
    void klines(const RestCallPtr& call, std::string_view symbol, std::string_view interval);

  private:
    // The market a path names; nullptr after answering 404.
    const MarketSpec* market_or_404(RestCall& call, std::string_view symbol) const;
    MarketId id_of(const MarketSpec& market) const {
        return static_cast<MarketId>(&market - catalog_.markets.data());
    }

    const MarketCatalog& catalog_;
    const MarketData& market_data_;
    const MarketStatus& status_;
};

}  // namespace xtrader::api
