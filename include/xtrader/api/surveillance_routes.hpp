// The surveillance routes, behind the admin token: GET /v1/admin/alerts?kind=&symbol=&account=
// &since=&limit= (newest first) from the alert store, and GET /v1/admin/reports/daily?date=
// YYYY-MM-DD (every account's activity per market on that UTC day; JSON, or CSV to a client that
// accepts text/csv) from the trade store. Both are read on a store reader (PostgreSQL or SQLite
// may block; an io thread must not). Thread-safe.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "xtrader/api/access_control.hpp"
#include "xtrader/api/rest_call.hpp"
#include "xtrader/store/alert_store.hpp"

namespace xtrader::api {

class SurveillanceRoutes {
  public:
    SurveillanceRoutes(const MarketCatalog& catalog, AlertStore& alerts, TradeStore& trades,
                       AccessControl& access, boost::asio::thread_pool& store_reads);

    void alerts(const RestCallPtr& call);
    void daily_report(const RestCallPtr& call);

  private:
    const MarketCatalog& catalog_;
    AlertStore& alerts_;
    TradeStore& trades_;
    AccessControl& access_;
    boost::asio::thread_pool& store_reads_;
};

}  // namespace xtrader::api
