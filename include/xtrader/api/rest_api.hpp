// The REST surface of API.md, independent of the transport: an HTTP request in, its answer out
// through a Responder that may run on another thread. RestApi is the router: it checks what
// every request must have (a Host), finds the route by method and path (405 with Allow, 404) and
// hands the call to the route's handler; the handlers live in one class per resource.
// Thread-safe: any io thread may call handle() concurrently.
#pragma once

#include <filesystem>

#include "xtrader/api/account_routes.hpp"
#include "xtrader/api/admin_routes.hpp"
#include "xtrader/api/market_data_routes.hpp"
#include "xtrader/api/order_routes.hpp"
#include "xtrader/api/rest_call.hpp"
#include "xtrader/api/static_routes.hpp"
#include "xtrader/api/surveillance_routes.hpp"
#include "xtrader/api/system_routes.hpp"

namespace xtrader::api {

struct RestOptions {
    double rate_limit_per_second = 0;  // per API key; 0 = unlimited
    double rate_limit_burst = 1;
    std::filesystem::path web_root;    // read once at start (StaticFiles); empty: the built-in page
    AccountId max_accounts = 1 << 20;  // the engine's bound on account ids
    // Finished orders the order view keeps in memory; older ones are read from the store.
    std::size_t finished_orders_kept = 100'000;
};

// The handlers, owned by the composition root.
struct RestRoutes {
    OrderRoutes& orders;
    AccountRoutes& account;
    AdminRoutes& admin;
    SurveillanceRoutes& surveillance;
    MarketDataRoutes& market_data;
    SystemRoutes& system;
    const StaticRoutes& files;
};

class RestApi {
  public:
    RestApi(RestRoutes routes, RequestMetrics& metrics) : routes_(routes), metrics_(metrics) {}

    // peer: the client's address (failed authentications are limited per address).
    void handle(const HttpRequest& request, const boost::asio::ip::address& peer,
                Responder respond);

  private:
    void dispatch(const RestCallPtr& call, http::verb method);

    RestRoutes routes_;
    RequestMetrics& metrics_;
};

}  // namespace xtrader::api
