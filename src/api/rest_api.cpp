#include "xtrader/api/rest_api.hpp"

#include <optional>

namespace xtrader::api {

void RestApi::handle(const HttpRequest& request, const boost::asio::ip::address& peer,
                     Responder respond) {
    auto call = std::make_shared<RestCall>(request, peer, std::move(respond), metrics_);
    // HEAD is GET without the body (RFC 9110): routed as GET, answered with the same headers.
    call->head = request.method() == http::verb::head;
    dispatch(call, call->head ? http::verb::get : request.method());
}

void RestApi::dispatch(const RestCallPtr& call, http::verb method) {
    const auto path = call->target().path();
    // Whether the request is `verb` on the route found; names the route for the metrics.
    const auto is = [&](http::verb verb, Route route) {
        if (method != verb) return false;
        call->route = route;
        return true;
    };
    // The last segment after `prefix`, when it is one segment.
    const auto tail = [&](std::string_view prefix) -> std::optional<std::string_view> {
        if (!path.starts_with(prefix) || path.size() == prefix.size()) return std::nullopt;
        const auto rest = path.substr(prefix.size());
        if (rest.find('/') != std::string_view::npos) return std::nullopt;
        return rest;
    };
    constexpr std::string_view kGet = "GET, HEAD";
    auto& r = routes_;

    if (path == "/v1/order") {
        call->allow = "GET, HEAD, POST";
        if (is(http::verb::post, Route::SubmitOrder)) return r.orders.submit(call);
        if (is(http::verb::get, Route::GetOrder)) return r.orders.get_by_client_id(call);
    } else if (path == "/v1/order/cancel") {
        call->allow = "POST";
        if (is(http::verb::post, Route::CancelOrder)) return r.orders.cancel(call, {});
    } else if (const auto id = tail("/v1/order/")) {
        call->allow = "GET, HEAD, DELETE, PATCH";
        if (is(http::verb::delete_, Route::CancelOrder)) return r.orders.cancel(call, *id);
        if (is(http::verb::patch, Route::AmendOrder)) return r.orders.amend(call, *id);
        if (is(http::verb::get, Route::GetOrder)) return r.orders.get(call, *id);
    } else if (path == "/v1/orders") {
        call->allow = "GET, HEAD, DELETE";
        if (is(http::verb::get, Route::ListOrders)) return r.orders.list(call);
        if (is(http::verb::delete_, Route::CancelAll)) return r.orders.cancel_all(call);
    } else if (path == "/v1/execution") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Executions)) return r.account.executions(call);
    } else if (path == "/v1/account/balances") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Balances)) return r.account.balances(call);
    } else if (path == "/v1/admin/deposit") {
        call->allow = "POST";
        if (is(http::verb::post, Route::Deposit)) return r.admin.deposit(call);
    } else if (path == "/v1/admin/alerts") {
        call->allow = kGet;
        if (is(http::verb::get, Route::AdminAlerts)) return r.surveillance.alerts(call);
    } else if (path == "/v1/admin/reports/daily") {
        call->allow = kGet;
        if (is(http::verb::get, Route::AdminReports)) return r.surveillance.daily_report(call);
    } else if (path.starts_with("/v1/admin/markets/")) {
        // /v1/admin/markets/{symbol}/halt or /resume
        const auto rest = path.substr(std::string_view("/v1/admin/markets/").size());
        const auto slash = rest.find('/');
        const auto action = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
        if (slash == 0 || (action != "halt" && action != "resume")) {
            return call->fail(404, "not_found", "use /v1/admin/markets/{symbol}/halt or /resume");
        }
        call->allow = "POST";
        if (is(http::verb::post, Route::AdminMarkets)) {
            return r.admin.set_halted(call, rest.substr(0, slash), action == "halt");
        }
    } else if (path == "/v1/admin/accounts") {
        call->allow = "GET, HEAD, POST";
        if (is(http::verb::get, Route::AdminAccounts)) return r.admin.list_accounts(call);
        if (is(http::verb::post, Route::AdminAccounts)) return r.admin.create_account(call);
    } else if (path.starts_with("/v1/admin/accounts/") && path.ends_with("/keys")) {
        constexpr auto kPrefix = std::string_view("/v1/admin/accounts/").size();
        constexpr auto kSuffix = std::string_view("/keys").size();
        call->allow = "POST";
        if (is(http::verb::post, Route::AdminKeys)) {
            return r.admin.issue_key(call, path.substr(kPrefix, path.size() - kPrefix - kSuffix));
        }
    } else if (const auto key_id = tail("/v1/admin/keys/")) {
        call->allow = "DELETE";
        if (is(http::verb::delete_, Route::AdminKeys)) return r.admin.revoke_key(call, *key_id);
    } else if (path == "/api/v1/markets") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Markets)) return r.market_data.markets(call);
    } else if (const auto symbol = tail("/api/v1/orderbook/")) {
        call->allow = kGet;
        if (is(http::verb::get, Route::OrderBook)) return r.market_data.order_book(call, *symbol);
    } else if (const auto traded = tail("/api/v1/executions/")) {
        call->allow = kGet;
        if (is(http::verb::get, Route::PublicTrades)) return r.market_data.trades(call, *traded);
    } else if (const auto stats = tail("/api/v1/statistics/")) {
        call->allow = kGet;
        if (is(http::verb::get, Route::Statistics)) return r.market_data.statistics(call, *stats);
    } else if (path.starts_with("/api/v1/klines/")) {
        const auto rest = path.substr(std::string_view("/api/v1/klines/").size());
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos ||
            rest.find('/', slash + 1) != std::string_view::npos) {
            return call->fail(404, "not_found", "use /api/v1/klines/{symbol}/{interval}");
        }
        call->allow = kGet;
        if (is(http::verb::get, Route::Klines)) {
            return r.market_data.klines(call, rest.substr(0, slash), rest.substr(slash + 1));
        }
    } else if (path == "/api/v1/system/pipelines") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Pipelines)) return r.system.pipelines(call);
    } else if (path == "/health") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Health)) return r.system.health(call);
    } else if (path == "/ready") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Ready)) return r.system.ready(call);
    } else if (path == "/metrics") {
        call->allow = kGet;
        if (is(http::verb::get, Route::Metrics)) return r.system.metrics(call);
    } else if (!path.starts_with("/v1/") && !path.starts_with("/api/")) {
        call->allow = kGet;
        if (is(http::verb::get, Route::Static)) return r.files.serve(call);
    } else {
        return call->fail(404, "not_found", "no such route: " + std::string(path));
    }
    call->fail(
        405, "method_not_allowed",
        std::string(call->request().method_string()) + " is not allowed on " + std::string(path));
}

}  // namespace xtrader::api
