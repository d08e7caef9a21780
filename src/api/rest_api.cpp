#include "xtrader/api/rest_api.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <limits>

#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"
#include "xtrader/api/messages.hpp"
#include "xtrader/api/order_requests.hpp"
#include "xtrader/consumers/order_projection.hpp"
#include "xtrader/core/decimal.hpp"

namespace xtrader::api {

namespace {

// ---- small parsing helpers -----------------------------------------------------------------

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::string url_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 &&
            hex_digit(text[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2])));
            i += 2;
        } else {
            out.push_back(text[i] == '+' ? ' ' : text[i]);
        }
    }
    return out;
}

struct Target {
    std::string_view path;
    std::vector<std::pair<std::string, std::string>> query;

    explicit Target(std::string_view target) {
        // The absolute form (RFC 9112 3.2.2: "http://host/path?query") routes by its path.
        for (std::string_view scheme : {"http://", "https://"}) {
            if (target.size() >= scheme.size() &&
                std::equal(scheme.begin(), scheme.end(), target.begin(), [](char a, char b) {
                    return a == std::tolower(static_cast<unsigned char>(b));
                })) {
                const auto slash = target.find_first_of("/?", scheme.size());
                target =
                    slash == std::string_view::npos ? std::string_view("/") : target.substr(slash);
                if (target.front() == '?') target = "/";
                break;
            }
        }
        const auto q = target.find('?');
        path = target.substr(0, q);
        if (q == std::string_view::npos) return;
        std::string_view rest = target.substr(q + 1);
        while (!rest.empty()) {
            const auto amp = rest.find('&');
            const auto pair = rest.substr(0, amp);
            const auto eq = pair.find('=');
            if (!pair.empty()) {
                query.emplace_back(
                    url_decode(pair.substr(0, eq)),
                    eq == std::string_view::npos ? "" : url_decode(pair.substr(eq + 1)));
            }
            if (amp == std::string_view::npos) break;
            rest = rest.substr(amp + 1);
        }
    }
    const std::string* param(std::string_view name) const {
        for (const auto& [key, value] : query) {
            if (key == name) return &value;
        }
        return nullptr;
    }
};

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    std::uint64_t value = 0;
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

std::string error_body(std::string_view code, std::string_view message) {
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("error").begin_object();
    json.key("code").string(code).key("message").string(message);
    json.end_object().end_object();
    return body;
}

std::int64_t steady_nanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

// One request in flight: what the answer needs, movable into a completion.
struct RestApi::Context {
    const HttpRequest* request = nullptr;            // valid until the handler returns, not after
    const boost::asio::ip::address* peer = nullptr;  // the same
    Route route = Route::NotFound;
    std::int64_t started = steady_nanos();
    unsigned version = 11;
    bool keep_alive = true;
    Responder respond;
    RequestMetrics* metrics = nullptr;
    Principal principal;     // after authenticate()
    bool head = false;       // a HEAD request: the headers of the GET answer, no body
    std::string_view allow;  // the methods of the route, for a 405

    void reply(unsigned status, std::string body, std::string_view type = "application/json",
               std::string_view retry_after = {}, std::string_view cache = {}) {
        HttpResponse res{static_cast<http::status>(status), version};
        res.set(http::field::server, "xtraderd");
        res.set(http::field::content_type, type);
        if (!retry_after.empty()) res.set(http::field::retry_after, retry_after);
        if (!cache.empty()) res.set(http::field::cache_control, cache);
        if (status == 405) res.set(http::field::allow, allow);
        res.keep_alive(keep_alive);
        res.body() = std::move(body);
        res.prepare_payload();
        if (head) {
            const auto length = res.body().size();
            res.body().clear();
            res.content_length(length);
        }
        metrics->record(route, status, steady_nanos() - started);
        respond(std::move(res));
    }
    void fail(unsigned status, std::string_view code, std::string_view message,
              std::string_view retry_after = {}) {
        reply(status, error_body(code, message), "application/json", retry_after);
    }
};

RestApi::RestApi(const MarketCatalog& catalog, Sequencer& sequencer, const OrderView& orders,
                 TradeStore& store, ExecutionHistory& history, const MarketData& market_data,
                 Pipelines pipelines, RequestMetrics& metrics, Authenticator& auth,
                 RestOptions options)
    : catalog_(catalog),
      sequencer_(sequencer),
      orders_(orders),
      store_(store),
      history_(history),
      market_data_(market_data),
      pipelines_(std::move(pipelines)),
      metrics_(metrics),
      auth_(auth),
      options_(std::move(options)),
      limiter_(KeyRegistry::kMaxKeys, options_.rate_limit_per_second, options_.rate_limit_burst),
      static_files_(StaticFiles::load(options_.web_root, {})) {}

void RestApi::handle(const HttpRequest& request, const boost::asio::ip::address& peer,
                     Responder respond) {
    auto c = std::make_shared<Context>();
    c->request = &request;
    c->peer = &peer;
    c->version = request.version();
    c->keep_alive = request.keep_alive();
    c->respond = std::move(respond);
    c->metrics = &metrics_;
    // RFC 9112 3.2: an HTTP/1.1 request without Host is malformed.
    if (request.version() >= 11 && request.find(http::field::host) == request.end()) {
        c->keep_alive = false;
        return c->fail(400, "missing_host", "an HTTP/1.1 request needs a Host header");
    }
    const Target target(request.target());
    const auto path = target.path;
    // HEAD is GET without the body (RFC 9110): routed as GET, answered with the same headers.
    c->head = request.method() == http::verb::head;
    const auto method = c->head ? http::verb::get : request.method();
    const auto is = [&](http::verb verb, Route route) {
        if (method != verb) return false;
        c->route = route;
        return true;
    };
    const auto tail = [&](std::string_view prefix) -> std::optional<std::string_view> {
        if (!path.starts_with(prefix) || path.size() == prefix.size()) return std::nullopt;
        const auto rest = path.substr(prefix.size());
        if (rest.find('/') != std::string_view::npos) return std::nullopt;
        return rest;
    };
    constexpr std::string_view kGet = "GET, HEAD";

    if (path == "/v1/order") {
        c->allow = "POST";
        if (is(http::verb::post, Route::SubmitOrder)) return submit_order(c);
    } else if (path == "/v1/order/cancel") {
        c->allow = "POST";
        if (is(http::verb::post, Route::CancelOrder)) return cancel_order(c, {});
    } else if (const auto id = tail("/v1/order/")) {
        c->allow = "GET, HEAD, DELETE";
        if (is(http::verb::delete_, Route::CancelOrder)) return cancel_order(c, *id);
        if (is(http::verb::get, Route::GetOrder)) return get_order(c, *id);
    } else if (path == "/v1/orders") {
        c->allow = kGet;
        if (is(http::verb::get, Route::ListOrders)) return list_orders(c);
    } else if (path == "/v1/execution") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Executions)) return executions(c);
    } else if (path == "/v1/account/balances") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Balances)) return balances(c);
    } else if (path == "/v1/admin/deposit") {
        c->allow = "POST";
        if (is(http::verb::post, Route::Deposit)) return deposit(c);
    } else if (path == "/v1/admin/accounts") {
        c->allow = "GET, HEAD, POST";
        if (is(http::verb::get, Route::AdminAccounts)) return list_accounts(c);
        if (is(http::verb::post, Route::AdminAccounts)) return create_account(c);
    } else if (path.starts_with("/v1/admin/accounts/") && path.ends_with("/keys")) {
        const auto prefix = std::string_view("/v1/admin/accounts/").size();
        const auto account =
            path.substr(prefix, path.size() - prefix - std::string_view("/keys").size());
        c->allow = "POST";
        if (is(http::verb::post, Route::AdminKeys)) return issue_key(c, account);
    } else if (const auto key_id = tail("/v1/admin/keys/")) {
        c->allow = "DELETE";
        if (is(http::verb::delete_, Route::AdminKeys)) return revoke_key(c, *key_id);
    } else if (path == "/api/v1/markets") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Markets)) return markets(c);
    } else if (const auto symbol = tail("/api/v1/orderbook/")) {
        c->allow = kGet;
        if (is(http::verb::get, Route::OrderBook)) return order_book(c, *symbol);
    } else if (const auto traded = tail("/api/v1/executions/")) {
        c->allow = kGet;
        if (is(http::verb::get, Route::PublicTrades)) return public_trades(c, *traded);
    } else if (const auto stats = tail("/api/v1/statistics/")) {
        c->allow = kGet;
        if (is(http::verb::get, Route::Statistics)) return statistics(c, *stats);
    } else if (path.starts_with("/api/v1/klines/")) {
        const auto rest = path.substr(std::string_view("/api/v1/klines/").size());
        const auto slash = rest.find('/');
        if (slash == std::string_view::npos ||
            rest.find('/', slash + 1) != std::string_view::npos) {
            c->route = Route::NotFound;
            return c->fail(404, "not_found", "use /api/v1/klines/{symbol}/{interval}");
        }
        c->allow = kGet;
        if (is(http::verb::get, Route::Klines)) {
            return klines(c, rest.substr(0, slash), rest.substr(slash + 1));
        }
    } else if (path == "/api/v1/system/pipelines") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Pipelines)) return pipelines(c);
    } else if (path == "/health") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Health)) return health(c);
    } else if (path == "/ready") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Ready)) return ready(c);
    } else if (path == "/metrics") {
        c->allow = kGet;
        if (is(http::verb::get, Route::Metrics)) return metrics(c);
    } else if (!path.starts_with("/v1/") && !path.starts_with("/api/")) {
        c->allow = kGet;
        if (is(http::verb::get, Route::Static)) return static_file(c);
    } else {
        c->route = Route::NotFound;
        return c->fail(404, "not_found", "no such route: " + std::string(path));
    }
    c->fail(405, "method_not_allowed",
            std::string(request.method_string()) + " is not allowed on " + std::string(path));
}

// 401 without a known key, 429 past the key's rate or after too many failures from the
// address, 403 for a read-only key where trading is asked for.
bool RestApi::authenticate(const ContextPtr& c, KeyScope scope) {
    const auto header = c->request->find("X-API-Key");
    if (header == c->request->end() || header->value().empty()) {
        c->fail(401, "unauthorized", "the X-API-Key header is missing");
        return false;
    }
    const auto result = auth_.key(header->value(), *c->peer);
    if (const auto* failure = std::get_if<AuthFailure>(&result)) {
        return refuse(c, *failure, "the API key is not known");
    }
    c->principal = std::get<Principal>(result);
    if (scope == KeyScope::Trading && c->principal.scope != KeyScope::Trading) {
        c->fail(403, "read_only_key", "this API key may read the account but not trade");
        return false;
    }
    if (!limiter_.allow(c->principal.slot, RateLimiter::now())) {
        c->fail(429, "rate_limited", "too many requests for this API key; slow down", "1");
        return false;
    }
    return true;
}

bool RestApi::admin(const ContextPtr& c) {
    const auto token = c->request->find("X-Admin-Token");
    const auto failure = auth_.admin(
        token != c->request->end() ? std::string_view(token->value()) : std::string_view{},
        *c->peer);
    return !failure || refuse(c, *failure, "a valid X-Admin-Token header is required");
}

// 429 for an address over its failed-login budget, 401 otherwise; always false.
bool RestApi::refuse(const ContextPtr& c, AuthFailure failure, std::string_view unknown) {
    if (failure == AuthFailure::Throttled) {
        metrics_.count(EdgeEvent::AuthThrottled);
        c->fail(429, "auth_throttled",
                "too many failed authentications from this address; wait a minute", "60");
    } else {
        c->fail(401, "unauthorized", unknown);
    }
    return false;
}

// False (after answering 503) when the sequencer refused the submission.
bool RestApi::submitted(const ContextPtr& c, SubmitResult result) {
    switch (result) {
        case SubmitResult::Accepted: return true;
        case SubmitResult::QueueFull:
            c->fail(503, "overloaded", "the order queue is full; retry shortly", "1");
            return false;
        case SubmitResult::Unavailable:
            c->fail(503, "unavailable", "the exchange is not accepting commands now", "1");
            return false;
    }
    return false;
}

void RestApi::submit_order(const ContextPtr& c) {
    if (!authenticate(c, KeyScope::Trading)) return;
    const auto type = (*c->request)[http::field::content_type];
    if (!type.starts_with("application/json")) {
        return c->fail(415, "unsupported_media_type", "the body must be application/json");
    }
    auto decoded = decode_place_order(c->request->body(), catalog_, c->principal.account);
    if (const auto* error = std::get_if<ApiError>(&decoded)) {
        return c->fail(error->status, error->code, error->message);
    }
    const PlaceOrder order = std::get<PlaceOrder>(decoded);
    const MarketSpec* market = &catalog_.markets[order.market];
    const auto& quote = catalog_.assets[market->quote];
    const OrderView* view = &orders_;
    submitted(
        c, sequencer_.submit(order, [c, market, &quote, view, order](const CommandReply& reply) {
            for (const auto& event : reply.events) {
                const auto* rejected = std::get_if<CommandRejected>(&event);
                if (rejected == nullptr) continue;
                if (rejected->reason == RejectReason::InsufficientBalance) {
                    return c->fail(402, "insufficient_balance",
                                   "the account's available balance does not cover this order");
                }
                if (rejected->reason == RejectReason::DuplicateClientOrderId) {
                    // Idempotency: the same order again gets the first order's current state.
                    const auto first = view->find(rejected->order_id);
                    const bool same =
                        first && first->account == order.account && first->market == order.market &&
                        first->side == order.side && first->type == order.type &&
                        first->price == order.price && first->quantity == order.quantity &&
                        first->post_only == order.post_only &&
                        (first->tif == order.tif ||
                         (order.type == OrderType::Market && order.tif == TimeInForce::GTC));
                    if (!same) {
                        return c->fail(409, "client_order_id_reused",
                                       "client_order_id was used for a different order");
                    }
                    std::string body;
                    JsonWriter json(body);
                    write_order(json, *market, *first, nullptr, quote);
                    return c->reply(200, std::move(body));
                }
            }
            const auto placed = placed_order(reply.sequence, reply.timestamp, order, reply.events);
            if (!placed) {
                const auto* rejected = std::get_if<CommandRejected>(&reply.events.front());
                const auto [status, code] =
                    http_refusal(rejected != nullptr ? rejected->reason : RejectReason::None);
                return c->fail(status, code, "the engine refused the order");
            }
            std::vector<const Trade*> fills;
            for (const auto& event : reply.events) {
                const auto* trade = std::get_if<Trade>(&event);
                if (trade != nullptr && trade->taker_order_id == placed->id) fills.push_back(trade);
            }
            std::string body;
            JsonWriter json(body);
            write_order(json, *market, *placed, &fills, quote);
            c->reply(200, std::move(body));
        }));
}

void RestApi::cancel_order(const ContextPtr& c, std::string_view id_text) {
    if (!authenticate(c, KeyScope::Trading)) return;
    if (id_text.empty() &&  // POST /v1/order/cancel {"order_id": "..."}
        !(*c->request)[http::field::content_type].starts_with("application/json")) {
        return c->fail(415, "unsupported_media_type", "the body must be application/json");
    }
    const auto decoded =
        id_text.empty() ? decode_cancel_body(c->request->body()) : decode_order_id(id_text);
    if (const auto* error = std::get_if<ApiError>(&decoded)) {
        return c->fail(error->status, error->code, error->message);
    }
    const auto id = std::get<OrderId>(decoded);
    const AccountId account = c->principal.account;
    const OrderView* view = &orders_;
    const MarketCatalog* catalog = &catalog_;
    submitted(c, sequencer_.submit(CancelOrder{account, id}, [c, id, account, view,
                                                              catalog](const CommandReply& reply) {
        for (const auto& event : reply.events) {
            if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
                const auto& m = catalog->markets[cancelled->market];
                std::string body;
                JsonWriter json(body);
                json.begin_object();
                json.key("order_id").string(std::to_string(cancelled->order_id));
                json.key("status").string("Cancelled");
                json.key("remaining_quantity").decimal(cancelled->remaining, m.qty_scale);
                json.key("sequence").number(reply.sequence);
                json.key("timestamp").number(millis(reply.timestamp));
                json.end_object();
                return c->reply(200, std::move(body));
            }
        }
        const auto* rejected = std::get_if<CommandRejected>(&reply.events.front());
        RejectReason reason = rejected != nullptr ? rejected->reason : RejectReason::UnknownOrder;
        if (reason == RejectReason::UnknownOrder) {
            // Forgotten by the engine but still in the view: finished long ago.
            if (const auto known = view->find(id)) {
                reason =
                    known->account == account ? RejectReason::OrderClosed : RejectReason::NotOwner;
            }
        }
        const auto [status, code] = http_refusal(reason);
        const char* message = status == 404   ? "no such order"
                              : status == 403 ? "the order belongs to another account"
                                              : "the order is already filled or cancelled";
        c->fail(status, code, message);
    }));
}

void RestApi::get_order(const ContextPtr& c, std::string_view id_text) {
    if (!authenticate(c)) return;
    const auto id = parse_unsigned(id_text);
    if (!id) return c->fail(400, "invalid_order_id", "order_id must be a positive integer");
    auto order = orders_.find(*id);
    if (!order) order = store_.order(*id);  // finished long ago: out of the view, in the store
    if (!order) return c->fail(404, "order_not_found", "no such order");
    if (order->account != c->principal.account) {
        return c->fail(403, "forbidden", "the order belongs to another account");
    }
    const auto& m = catalog_.markets[order->market];
    std::string body;
    JsonWriter json(body);
    write_order(json, m, *order, nullptr, catalog_.assets[m.quote]);
    c->reply(200, std::move(body));
}

void RestApi::list_orders(const ContextPtr& c) {
    if (!authenticate(c)) return;
    const Target target(c->request->target());
    std::optional<MarketId> market;
    if (const auto* symbol = target.param("symbol")) {
        const auto* spec = catalog_.find(*symbol);
        if (spec == nullptr)
            return c->fail(400, "unknown_symbol", "unknown symbol \"" + *symbol + "\"");
        market = static_cast<MarketId>(spec - catalog_.markets.data());
    }
    const std::string status = target.param("status") != nullptr ? *target.param("status") : "open";
    if (status != "open" && status != "closed" && status != "all") {
        return c->fail(400, "invalid_status", "status must be open, closed or all");
    }
    std::size_t limit = 100;
    if (const auto* text = target.param("limit")) {
        const auto value = parse_unsigned(*text);
        if (!value || *value == 0 || *value > 1000) {
            return c->fail(400, "invalid_limit", "limit must be between 1 and 1000");
        }
        limit = *value;
    }
    std::vector<OrderRecord> found;
    if (status != "closed") found = orders_.open_orders(c->principal.account, market);
    if (status != "open") {
        auto finished = orders_.finished_orders(c->principal.account, market, limit);
        found.insert(found.end(), finished.begin(), finished.end());
    }
    if (found.size() > limit) found.resize(limit);
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("orders").begin_array();
    for (const auto& order : found) {
        const auto& m = catalog_.markets[order.market];
        write_order(json, m, order, nullptr, catalog_.assets[m.quote]);
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

void RestApi::executions(const ContextPtr& c) {
    if (!authenticate(c)) return;
    const Target target(c->request->target());
    ExecutionQuery query;
    query.account = c->principal.account;
    if (const auto* symbol = target.param("symbol")) {
        const auto* spec = catalog_.find(*symbol);
        if (spec == nullptr)
            return c->fail(400, "unknown_symbol", "unknown symbol \"" + *symbol + "\"");
        query.market = static_cast<MarketId>(spec - catalog_.markets.data());
    }
    const auto number = [&](const char* name, auto& out, std::uint64_t max) {
        const auto* text = target.param(name);
        if (text == nullptr) return true;
        const auto value = parse_unsigned(*text);
        if (!value || *value > max) {
            c->fail(
                400, std::string("invalid_") + name,
                std::string(name) + " must be a non-negative integer up to " + std::to_string(max));
            return false;
        }
        out = static_cast<std::remove_reference_t<decltype(*out)>>(*value);
        return true;
    };
    std::optional<std::int64_t> from_ms, to_ms;
    std::optional<std::uint64_t> limit;
    if (!number("order_id", query.order_id, UINT64_MAX) ||
        !number("from", from_ms, INT64_MAX / kNanosPerMilli) ||
        !number("to", to_ms, INT64_MAX / kNanosPerMilli) || !number("limit", limit, 1000)) {
        return;
    }
    if (query.order_id && *query.order_id == 0) {
        return c->fail(400, "invalid_order_id", "order_id must be a positive integer");
    }
    if (limit) {
        if (*limit == 0) return c->fail(400, "invalid_limit", "limit must be between 1 and 1000");
        query.limit = *limit;
    }
    if (from_ms) query.from = *from_ms * kNanosPerMilli;
    if (to_ms) query.to = *to_ms * kNanosPerMilli;
    std::vector<ExecutionRecord> rows;
    try {
        rows = history_.executions(query);
    } catch (const StoreError& e) {
        spdlog::warn("GET /v1/execution: {}", e.what());
        return c->fail(503, "history_unavailable",
                       "execution history is unavailable for the moment; retry shortly", "1");
    }
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("executions").begin_array();
    for (const auto& e : rows) {
        const auto& m = catalog_.markets[e.market];
        const auto& quote = catalog_.assets[m.quote];
        json.begin_object();
        json.key("exec_id").string(std::to_string(e.exec_id));
        json.key("order_id").string(std::to_string(e.order_id));
        json.key("symbol").string(m.symbol);
        json.key("side").string(to_string(e.side));
        json.key("price").decimal(e.price, m.price_scale);
        json.key("quantity").decimal(e.quantity, m.qty_scale);
        json.key("fee").decimal(e.fee, quote.scale);
        json.key("fee_asset").string(quote.name);
        json.key("is_maker").boolean(e.is_maker);
        json.key("transaction_time").number(millis(e.time));
        json.key("sequence").number(e.sequence);
        json.end_object();
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

void RestApi::balances(const ContextPtr& c) {
    if (!authenticate(c)) return;
    auto seen = std::make_shared<std::vector<Balance>>();
    const AccountId account = c->principal.account;
    const MarketCatalog* catalog = &catalog_;
    submitted(c, sequencer_.inspect(
                     [seen, account](const MatchingEngine& engine) {
                         const auto& ledger = engine.ledger();
                         for (AssetId a = 0; a < ledger.asset_count(); ++a) {
                             seen->push_back(ledger.balance(account, a));
                         }
                     },
                     [c, seen, catalog](const CommandReply& reply) {
                         std::string body;
                         JsonWriter json(body);
                         json.begin_object().key("balances").begin_array();
                         for (std::size_t a = 0; a < seen->size(); ++a) {
                             const auto& asset = catalog->assets[a];
                             json.begin_object();
                             json.key("asset").string(asset.name);
                             json.key("available").decimal((*seen)[a].available, asset.scale);
                             json.key("held").decimal((*seen)[a].held, asset.scale);
                             json.end_object();
                         }
                         json.end_array();
                         json.key("sequence").number(reply.sequence);
                         json.end_object();
                         c->reply(200, std::move(body));
                     }));
}

void RestApi::deposit(const ContextPtr& c) {
    if (!admin(c)) return;
    if (!(*c->request)[http::field::content_type].starts_with("application/json")) {
        return c->fail(415, "unsupported_media_type", "the body must be application/json");
    }
    std::string error;
    const auto request = parse_json_object(c->request->body(), error);
    if (!request) return c->fail(400, "malformed_json", error);
    for (const auto& [name, value] : request->members) {
        if (name != "account_id" && name != "asset" && name != "amount") {
            return c->fail(400, "unknown_field", "unknown field \"" + name + "\"");
        }
    }
    const auto* account_text = request->find("account_id");
    const auto* asset_text = request->find("asset");
    const auto* amount_text = request->find("amount");
    std::uint64_t account = 0;
    if (account_text != nullptr && account_text->kind == JsonValue::Kind::Number) {
        account = parse_unsigned(account_text->text).value_or(0);
    }
    if (account > std::numeric_limits<AccountId>::max() ||
        !auth_.keys().has_account(static_cast<AccountId>(account))) {
        return c->fail(400, "invalid_account", "account_id must name a configured account");
    }
    const AssetSpec* asset =
        asset_text != nullptr ? catalog_.find_asset(asset_text->text) : nullptr;
    if (asset == nullptr)
        return c->fail(400, "invalid_asset", "asset must name a configured asset");
    Amount amount = 0;
    if (amount_text == nullptr || amount_text->kind == JsonValue::Kind::Bool ||
        parse_decimal(amount_text->text, asset->scale, amount) != DecimalError::Ok || amount <= 0) {
        return c->fail(400, "invalid_amount",
                       "amount must be a positive number with at most " +
                           std::to_string(asset->scale) + " decimals");
    }
    const auto asset_id = static_cast<AssetId>(asset - catalog_.assets.data());
    submitted(c, sequencer_.submit(Deposit{static_cast<AccountId>(account), asset_id, amount},
                                   [c, asset, amount](const CommandReply& reply) {
                                       if (reply.result != RejectReason::None) {
                                           return c->fail(400, to_string(reply.result),
                                                          "the deposit was refused");
                                       }
                                       std::string body;
                                       JsonWriter json(body);
                                       json.begin_object();
                                       json.key("asset").string(asset->name);
                                       json.key("amount").decimal(amount, asset->scale);
                                       json.key("sequence").number(reply.sequence);
                                       json.end_object();
                                       c->reply(200, std::move(body));
                                   }));
}

namespace {

void write_key(JsonWriter& json, const KeyInfo& key) {
    json.begin_object();
    json.key("key_id").string(key.key_id);
    json.key("account_id").number(std::uint64_t{key.account});
    json.key("scope").string(to_string(key.scope));
    json.key("source").string(key.from_config ? "config" : "admin");
    json.key("revoked").boolean(key.revoked);
    json.end_object();
}

// An admin call's optional JSON body and its optional "scope"; nullopt after answering 400 / 415.
template <class ContextPtr>
std::optional<std::pair<JsonValue, KeyScope>> admin_body(
    const ContextPtr& c, std::initializer_list<std::string_view> fields) {
    std::pair<JsonValue, KeyScope> out{JsonValue{}, KeyScope::Trading};
    const auto& request = *c->request;
    if (!request.body().empty()) {
        if (!request[http::field::content_type].starts_with("application/json")) {
            c->fail(415, "unsupported_media_type", "the body must be application/json");
            return std::nullopt;
        }
        std::string error;
        auto body = parse_json_object(request.body(), error);
        if (!body) {
            c->fail(400, "malformed_json", error);
            return std::nullopt;
        }
        out.first = std::move(*body);
    }
    for (const auto& [name, value] : out.first.members) {
        if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
            c->fail(400, "unknown_field", "unknown field \"" + name + "\"");
            return std::nullopt;
        }
    }
    if (const auto* text = out.first.find("scope")) {
        const auto scope = parse_key_scope(text->text);
        if (!scope || text->kind != JsonValue::Kind::String) {
            c->fail(400, "invalid_scope", "scope must be \"trading\" or \"read_only\"");
            return std::nullopt;
        }
        out.second = *scope;
    }
    return out;
}

}  // namespace

// Accounts and keys (admin): keys are listed by id and scope, never by secret.
void RestApi::list_accounts(const ContextPtr& c) {
    if (!admin(c)) return;
    const auto keys = auth_.keys().keys();
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("accounts").begin_array();
    for (const auto& account : auth_.keys().accounts()) {
        json.begin_object();
        json.key("account_id").number(std::uint64_t{account.id});
        json.key("name").string(account.name);
        json.key("source").string(account.from_config ? "config" : "admin");
        json.key("keys").begin_array();
        for (const auto& key : keys) {
            if (key.account == account.id) write_key(json, key);
        }
        json.end_array().end_object();
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

// Creates an account and its first key; the secret is in this answer and nowhere else.
void RestApi::create_account(const ContextPtr& c) {
    if (!admin(c)) return;
    const auto request = admin_body(c, {"name", "scope"});
    if (!request) return;
    const auto& [fields, scope] = *request;
    const auto* name = fields.find("name");
    if (name == nullptr || name->kind != JsonValue::Kind::String || name->text.empty() ||
        name->text.size() > 64) {
        return c->fail(400, "invalid_name", "name is required: 1 to 64 characters");
    }
    // Room for its key first: an account is never left without one.
    if (auth_.keys().keys().size() >= KeyRegistry::kMaxKeys) {
        return c->fail(503, "no_room", "no more API keys can be issued");
    }
    AccountInfo account;
    try {
        account = auth_.keys().create_account(name->text, options_.max_accounts);
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: creating an account: {}", e.what());
        return c->fail(503, "unavailable", "the account could not be stored; retry shortly", "1");
    }
    answer_new_key(c, account.id, scope, &account.name);
}

void RestApi::issue_key(const ContextPtr& c, std::string_view account_text) {
    if (!admin(c)) return;
    const auto account = parse_unsigned(account_text);
    if (!account || *account > std::numeric_limits<AccountId>::max() ||
        !auth_.keys().has_account(static_cast<AccountId>(*account))) {
        return c->fail(404, "account_not_found", "no such account");
    }
    const auto request = admin_body(c, {"scope"});
    if (!request) return;
    answer_new_key(c, static_cast<AccountId>(*account), request->second, nullptr);
}

// Issues a key and answers 201 with its secret, which appears in this answer and nowhere else;
// with the account's name when the account is new.
void RestApi::answer_new_key(const ContextPtr& c, AccountId account, KeyScope scope,
                             const std::string* name) {
    std::optional<std::pair<std::string, KeyInfo>> issued;
    try {
        issued = auth_.keys().issue_key(account, scope);
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: issuing a key: {}", e.what());
        return c->fail(503, "unavailable", "the key could not be stored; retry shortly", "1");
    }
    if (!issued) return c->fail(503, "no_room", "no more API keys can be issued");
    std::string body;
    JsonWriter json(body);
    json.begin_object();
    json.key("account_id").number(std::uint64_t{account});
    if (name != nullptr) json.key("name").string(*name);
    json.key("api_key").string(issued->first);
    json.key("key_id").string(issued->second.key_id);
    json.key("scope").string(to_string(scope));
    json.end_object();
    c->reply(201, std::move(body));
}

void RestApi::revoke_key(const ContextPtr& c, std::string_view key_id) {
    if (!admin(c)) return;
    try {
        if (!auth_.keys().revoke(key_id)) {
            return c->fail(404, "key_not_found", "no such key, or it is revoked already");
        }
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: revoking a key: {}", e.what());
        return c->fail(503, "unavailable", "the revocation could not be stored; retry", "1");
    }
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("key_id").string(key_id).key("revoked").boolean(true).end_object();
    c->reply(200, std::move(body));
}

void RestApi::markets(const ContextPtr& c) {
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("markets").begin_array();
    for (const auto& m : catalog_.markets) {
        json.begin_object();
        json.key("symbol").string(m.symbol);
        json.key("base").string(catalog_.assets[m.base].name);
        json.key("quote").string(catalog_.assets[m.quote].name);
        json.key("price_decimals").number(std::int64_t{m.price_scale});
        json.key("quantity_decimals").number(std::int64_t{m.qty_scale});
        json.key("tick_size").decimal(m.tick_size, m.price_scale);
        json.key("lot_size").decimal(m.lot_size, m.qty_scale);
        json.key("min_quantity").decimal(m.min_quantity, m.qty_scale);
        json.key("max_quantity").decimal(m.max_quantity, m.qty_scale);
        json.key("max_price").decimal(m.max_price, m.price_scale);
        json.key("maker_fee").decimal(m.maker_fee_ppm, 6);
        json.key("taker_fee").decimal(m.taker_fee_ppm, 6);
        json.end_object();
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

const MarketSpec* RestApi::market_or_404(const ContextPtr& c, std::string_view symbol_text) {
    const std::string symbol = url_decode(symbol_text);
    const MarketSpec* market = catalog_.find(symbol);
    if (market == nullptr) c->fail(404, "unknown_symbol", "unknown symbol \"" + symbol + "\"");
    return market;
}

namespace {

// An optional integer query parameter in [min, max]; false after answering 400.
template <class Context>
bool query_number(Context& c, const Target& target, const char* name, std::int64_t min,
                  std::int64_t max, std::optional<std::int64_t>& out) {
    const auto* text = target.param(name);
    if (text == nullptr) return true;
    const auto value = parse_unsigned(*text);
    if (!value || static_cast<std::int64_t>(*value) < min ||
        *value > static_cast<std::uint64_t>(max)) {
        c->fail(400, std::string("invalid_") + name,
                std::string(name) + " must be an integer between " + std::to_string(min) + " and " +
                    std::to_string(max));
        return false;
    }
    out = static_cast<std::int64_t>(*value);
    return true;
}

}  // namespace

void RestApi::order_book(const ContextPtr& c, std::string_view symbol_text) {
    const MarketSpec* market = market_or_404(c, symbol_text);
    if (market == nullptr) return;
    std::optional<std::int64_t> depth;
    if (!query_number(c, Target(c->request->target()), "depth", 1, 500, depth)) return;
    const auto id = static_cast<MarketId>(market - catalog_.markets.data());
    const auto book = market_data_.book(id, static_cast<std::size_t>(depth.value_or(20)));
    std::string body;
    JsonWriter json(body);
    json.begin_object();
    json.key("symbol").string(market->symbol);
    write_book(json, *market, book);
    json.end_object();
    c->reply(200, std::move(body));
}

void RestApi::public_trades(const ContextPtr& c, std::string_view symbol_text) {
    const MarketSpec* market = market_or_404(c, symbol_text);
    if (market == nullptr) return;
    std::optional<std::int64_t> limit;
    if (!query_number(c, Target(c->request->target()), "limit", 1,
                      static_cast<std::int64_t>(MarketData::kTradesKept), limit)) {
        return;
    }
    const auto id = static_cast<MarketId>(market - catalog_.markets.data());
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    json.key("executions").begin_array();
    for (const auto& t : market_data_.trades(id, static_cast<std::size_t>(limit.value_or(100)))) {
        json.begin_object();
        json.key("exec_id").string(std::to_string(t.exec_id));
        json.key("price").decimal(t.price, market->price_scale);
        json.key("quantity").decimal(t.quantity, market->qty_scale);
        json.key("side").string(to_string(t.taker_side));
        json.key("transaction_time").number(millis(t.time));
        json.key("sequence").number(t.sequence);
        json.end_object();
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

void RestApi::statistics(const ContextPtr& c, std::string_view symbol_text) {
    const MarketSpec* market = market_or_404(c, symbol_text);
    if (market == nullptr) return;
    const auto id = static_cast<MarketId>(market - catalog_.markets.data());
    const Timestamp now = SystemClock{}.now();
    const auto s = market_data_.statistics(id, now);
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    write_statistics(json, *market, s);
    json.key("timestamp").number(millis(now));
    json.end_object();
    c->reply(200, std::move(body));
}

void RestApi::klines(const ContextPtr& c, std::string_view symbol_text,
                     std::string_view interval_text) {
    const MarketSpec* market = market_or_404(c, symbol_text);
    if (market == nullptr) return;
    const auto interval = parse_interval(interval_text);
    if (!interval) {
        return c->fail(400, "invalid_interval",
                       "interval must be one of 1m 5m 15m 30m 1h 4h 1d 1w");
    }
    const Target target(c->request->target());
    std::optional<std::int64_t> limit, start, end;
    constexpr std::int64_t kMaxMillis = INT64_MAX / kNanosPerMilli;
    if (!query_number(c, target, "limit", 1, 1500, limit) ||
        !query_number(c, target, "start", 0, kMaxMillis, start) ||
        !query_number(c, target, "end", 0, kMaxMillis, end)) {
        return;
    }
    const auto id = static_cast<MarketId>(market - catalog_.markets.data());
    const auto candles = market_data_.candles(
        id, *interval, static_cast<std::size_t>(limit.value_or(500)),
        start ? std::optional<Timestamp>(*start * kNanosPerMilli) : std::nullopt,
        end ? std::optional<Timestamp>(*end * kNanosPerMilli) : std::nullopt);
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("symbol").string(market->symbol);
    json.key("interval").string(spec(*interval).name);
    json.key("candles").begin_array();
    for (const auto& k : candles) write_candle(json, *market, k);
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

void RestApi::pipelines(const ContextPtr& c) {
    const Sequence committed = sequencer_.committed_sequence();
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("mode").string(pipelines_.mode);
    json.key("committed_sequence").number(committed);
    json.key("pipelines").begin_array();
    // The order view is fed on the commit path: never behind.
    json.begin_object();
    json.key("name").string("order-view");
    json.key("kind").string("in-process");
    json.key("state").string("healthy");
    json.key("cursor").number(committed);
    json.key("lag").number(std::uint64_t{0});
    json.key("spooled_events").number(std::uint64_t{0});
    json.end_object();
    for (const auto* follower : pipelines_.followers) {
        const Sequence cursor = std::min(follower->cursor().load(), committed);
        json.begin_object();
        json.key("name").string(follower->name());
        json.key("kind").string("journal-follower");
        json.key("state").string(to_string(follower->state()));
        json.key("cursor").number(cursor);
        json.key("lag").number(committed - cursor);
        // The journal is the follower's spool: what it has not taken in yet waits there.
        json.key("spooled_events").number(committed - cursor);
        json.key("spooled_bytes").number(follower->spooled_bytes());
        json.key("disk_alarm").boolean(follower->disk_alarm());
        json.key("published").number(follower->taken());
        json.key("publish_rate").number(follower->rate());
        json.key("failures").number(follower->failures());
        json.end_object();
    }
    if (const auto* p = pipelines_.persister) {
        json.begin_object();
        json.key("name").string("persister");
        json.key("kind").string("redis-consumer-group");
        json.key("state").string(p->healthy() ? "healthy" : "degraded");
        json.key("consumers").number(std::uint64_t{p->consumers()});
        json.key("stored").number(p->stored());
        json.key("acknowledged").number(p->acknowledged());
        json.key("dead_lettered").number(p->dead_lettered());
        json.key("failures").number(p->failures());
        json.end_object();
    }
    json.end_array().end_object();
    c->reply(200, std::move(body));
}

void RestApi::health(const ContextPtr& c) {
    c->reply(200, R"({"status":"ok"})");
}

void RestApi::ready(const ContextPtr& c) {
    if (!ready_.load(std::memory_order_acquire)) {
        return c->fail(503, "not_ready", "the exchange is starting or stopping", "1");
    }
    for (const auto* follower : pipelines_.followers) {
        if (follower->disk_alarm()) {
            return c->fail(503, "disk_budget_exceeded",
                           "the journal kept for " + follower->name() +
                               " is beyond the disk budget: its broker has been down too long");
        }
    }
    c->reply(200, R"({"status":"ready"})");
}

void RestApi::metrics(const ContextPtr& c) {
    std::string text = metrics_.render(sequencer_);
    const Sequence committed = sequencer_.committed_sequence();
    const auto gauge = [&text](std::string_view name, std::string_view pipeline, auto value) {
        text += name;
        text += "{pipeline=\"";
        text += pipeline;
        text += "\"} ";
        text += std::to_string(value);
        text += '\n';
    };
    text +=
        "# HELP xtrader_pipeline_state 0 healthy, 1 degraded, 2 recovering, 3 off.\n"
        "# TYPE xtrader_pipeline_state gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_state", f->name(), static_cast<int>(f->state()));
    }
    text += "# TYPE xtrader_pipeline_lag gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_lag", f->name(),
              committed - std::min(f->cursor().load(), committed));
    }
    text += "# TYPE xtrader_pipeline_spooled_bytes gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_spooled_bytes", f->name(), f->spooled_bytes());
    }
    text += "# TYPE xtrader_pipeline_disk_alarm gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_disk_alarm", f->name(), f->disk_alarm() ? 1 : 0);
    }
    text += "# TYPE xtrader_pipeline_publish_rate gauge\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_publish_rate", f->name(), f->rate());
    }
    text += "# TYPE xtrader_pipeline_records_total counter\n";
    for (const auto* f : pipelines_.followers) {
        gauge("xtrader_pipeline_records_total", f->name(), f->taken());
    }
    if (const auto* p = pipelines_.persister) {
        text += "# TYPE xtrader_persister_stored_total counter\n";
        gauge("xtrader_persister_stored_total", "persister", p->stored());
        text += "# TYPE xtrader_persister_dead_lettered_total counter\n";
        gauge("xtrader_persister_dead_lettered_total", "persister", p->dead_lettered());
        text += "# TYPE xtrader_persister_failures_total counter\n";
        gauge("xtrader_persister_failures_total", "persister", p->failures());
    }
    c->reply(200, std::move(text), "text/plain; version=0.0.4");
}

namespace {

constexpr std::string_view kBuiltInPage = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>xtrader</title>
<style>body{font:16px/1.5 system-ui,sans-serif;background:#0f1419;color:#e6e6e6;max-width:48rem;
margin:3rem auto;padding:0 1rem}a{color:#4fc3f7}code{color:#ffd54f}</style></head><body>
<h1>xtraderd is running</h1>
<p>An exchange server: REST on this port, WebSocket on 7001. The trading screen will be served
here; until then, the API:</p>
<ul>
<li><a href="/api/v1/markets">/api/v1/markets</a> — markets, ticks, lots, fees</li>
<li><a href="/api/v1/orderbook/BTC-KRW">/api/v1/orderbook/BTC-KRW</a> — the book</li>
<li><a href="/api/v1/system/pipelines">/api/v1/system/pipelines</a>,
<a href="/health">/health</a>, <a href="/ready">/ready</a>, <a href="/metrics">/metrics</a></li>
<li><code>POST /v1/order</code>, <code>DELETE /v1/order/{id}</code>,
<code>GET /v1/account/balances</code> with <code>X-API-Key</code> — see the README</li>
</ul></body></html>
)";

}  // namespace

// Files from the web root, read at start (StaticFiles); the built-in page when there are none.
// Hashed assets are immutable, everything else is revalidated.
void RestApi::static_file(const ContextPtr& c) {
    const auto path = Target(c->request->target()).path;
    if (const auto* file = static_files_.find(path)) {
        return c->reply(200, file->content, file->type, {},
                        file->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    }
    if (static_files_.empty() && (path == "/" || path == "/index.html")) {
        return c->reply(200, std::string(kBuiltInPage), "text/html; charset=utf-8", {}, "no-cache");
    }
    c->fail(404, "not_found", "no such file: " + std::string(path));
}

}  // namespace xtrader::api
