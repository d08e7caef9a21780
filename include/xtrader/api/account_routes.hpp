// The account routes: GET /v1/account/balances (read in the sequencer, between two commands, so
// the figures are those of one instant) and GET /v1/execution (the execution history, read from
// the store on a store reader: PostgreSQL or SQLite may block, an io thread must not).
// Thread-safe.
#pragma once

#include <boost/asio/thread_pool.hpp>

#include "xtrader/api/access_control.hpp"
#include "xtrader/api/rest_call.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader::api {

class AccountRoutes {
  public:
    AccountRoutes(const MarketCatalog& catalog, Sequencer& sequencer, ExecutionHistory& history,
                  AccessControl& access, boost::asio::thread_pool& store_reads);

    void balances(const RestCallPtr& call);
    void executions(const RestCallPtr& call);

  private:
    const MarketCatalog& catalog_;
    Sequencer& sequencer_;
    ExecutionHistory& history_;
    AccessControl& access_;
    boost::asio::thread_pool& store_reads_;
};

}  // namespace xtrader::api
