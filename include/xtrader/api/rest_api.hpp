// The REST routes of API.md, independent of the transport: an HTTP request in, a response out
// through a callback that may run on another thread (the sequencer's completion thread for
// anything that goes through the engine).
//
// Validation happens here, on the io thread, in API.md's order (symbol, quantity, price), and
// only a well-formed command reaches the sequencer; the balance check is the engine's (402).
// Thread-safe: any io thread may call handle() concurrently.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "xtrader/api/authenticator.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/order_view.hpp"
#include "xtrader/api/rate_limiter.hpp"
#include "xtrader/api/static_files.hpp"
#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/consumers/execution_persister.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/sequencer/sequencer.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader::api {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;
using HttpResponse = http::response<http::string_body>;
using Responder = std::function<void(HttpResponse&&)>;

// An account of the configuration. Its key is a plain `api_key` (the demo accounts: printed at
// start, hashed in memory) or only its digest (`api_key_sha256`), which is how real accounts
// are configured.
struct ApiAccount {
    std::string name;
    std::string api_key;               // plain (demo) or empty
    std::optional<Digest> key_digest;  // of api_key, or as configured
    KeyScope scope = KeyScope::Trading;
    AccountId id = 0;
};

struct RestOptions {
    double rate_limit_per_second = 0;  // per API key; 0 = unlimited
    double rate_limit_burst = 1;
    std::filesystem::path web_root;    // read once at start (StaticFiles); empty: the built-in page
    AccountId max_accounts = 1 << 20;  // the engine's bound on account ids
    std::string version = "0.1.0";
};

// What /api/v1/system/pipelines, /metrics and /ready report on: every journal follower (the
// trade store's writer, market data, the broker publishers) and the in-process persister.
struct Pipelines {
    std::string mode = "embedded";  // or "full" when a broker pipeline is configured
    std::vector<const JournalFollower*> followers;
    const ExecutionPersister* persister = nullptr;
};

class RestApi {
  public:
    // store: orders older than the order view; history: GET /v1/execution (the store itself in
    // embedded mode, PostgreSQL in full mode).
    RestApi(const MarketCatalog& catalog, Sequencer& sequencer, const OrderView& orders,
            TradeStore& store, ExecutionHistory& history, const MarketData& market_data,
            Pipelines pipelines, RequestMetrics& metrics, Authenticator& auth, RestOptions options);

    // peer: the client's address (failed authentications are limited per address).
    void handle(const HttpRequest& request, const boost::asio::ip::address& peer,
                Responder respond);

    // Readiness: set once recovery is done and the servers listen; cleared when stopping.
    void set_ready(bool ready) noexcept { ready_.store(ready, std::memory_order_release); }

  private:
    struct Context;  // one request in flight
    using ContextPtr = std::shared_ptr<Context>;

    void submit_order(const ContextPtr& c);
    void cancel_order(const ContextPtr& c, std::string_view id_text);
    void get_order(const ContextPtr& c, std::string_view id_text);
    void list_orders(const ContextPtr& c);
    void executions(const ContextPtr& c);
    void balances(const ContextPtr& c);
    void deposit(const ContextPtr& c);
    void list_accounts(const ContextPtr& c);
    void create_account(const ContextPtr& c);
    void issue_key(const ContextPtr& c, std::string_view account_text);
    void revoke_key(const ContextPtr& c, std::string_view key_id);
    void answer_new_key(const ContextPtr& c, AccountId account, KeyScope scope,
                        const std::string* name);
    void markets(const ContextPtr& c);
    void order_book(const ContextPtr& c, std::string_view symbol);
    void public_trades(const ContextPtr& c, std::string_view symbol);
    void statistics(const ContextPtr& c, std::string_view symbol);
    void klines(const ContextPtr& c, std::string_view symbol, std::string_view interval);
    const MarketSpec* market_or_404(const ContextPtr& c, std::string_view symbol);
    void pipelines(const ContextPtr& c);
    void health(const ContextPtr& c);
    void ready(const ContextPtr& c);
    void metrics(const ContextPtr& c);
    void static_file(const ContextPtr& c);

    // The caller's key, with at least `scope`; false after answering 401 / 403 / 429.
    bool authenticate(const ContextPtr& c, KeyScope scope = KeyScope::ReadOnly);
    bool admin(const ContextPtr& c);  // a valid X-Admin-Token; false after answering
    bool refuse(const ContextPtr& c, AuthFailure failure, std::string_view unknown);
    bool submitted(const ContextPtr& c, SubmitResult result);

    const MarketCatalog& catalog_;
    Sequencer& sequencer_;
    const OrderView& orders_;
    TradeStore& store_;
    ExecutionHistory& history_;
    const MarketData& market_data_;
    Pipelines pipelines_;
    RequestMetrics& metrics_;
    Authenticator& auth_;
    RestOptions options_;
    RateLimiter limiter_;  // by key slot
    StaticFiles static_files_;
    std::atomic<bool> ready_{false};
};

}  // namespace xtrader::api
