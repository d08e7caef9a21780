// One REST request in flight and its answer, shared by the router and the route handlers.
//
// The handler that takes the call may answer at once (on the io thread), or later from the
// sequencer's completion thread or a store reader; the Responder is safe from any thread. The
// request itself is only valid until the handler returns: a deferred answer captures what it
// needs first. Exactly one reply() per call.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/beast/http.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "xtrader/api/key_registry.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/order_requests.hpp"
#include "xtrader/api/request_target.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::api {

namespace http = boost::beast::http;
using HttpRequest = http::request<http::string_body>;

// An answer as it goes on the wire: encoded once, on whichever thread made it, so the io
// thread only writes bytes.
struct HttpAnswer {
    std::string wire;    // status line, headers and body
    bool close = false;  // the connection ends after it
};
using Responder = std::function<void(HttpAnswer&&)>;

// The headers an answer may carry beside Server, Content-Type and Content-Length.
struct AnswerHeaders {
    std::string_view retry_after;
    std::string_view cache_control;
    std::string_view allow;
};
// Encodes an HTTP/1.x answer: `body` follows unless `head` (then only its Content-Length).
HttpAnswer encode_answer(unsigned status, unsigned version, bool keep_alive, std::string_view type,
                         std::string_view body, bool head = false,
                         const AnswerHeaders& headers = {});
// {"error": {"code", "message"}}
std::string error_body(std::string_view code, std::string_view message);

class RestCall {
  public:
    RestCall(const HttpRequest& request, const boost::asio::ip::address& peer, Responder respond,
             RequestMetrics& metrics);

    // Valid until the handler that took the call returns, not after.
    const HttpRequest& request() const noexcept { return *request_; }
    const boost::asio::ip::address& peer() const noexcept { return *peer_; }
    // Its query parameters are the call's own; its path is a view into the request, valid as
    // long as request() (the session reads the next pipelined request into the same place).
    const RequestTarget& target() const noexcept { return target_; }

    void reply(unsigned status, std::string body, std::string_view type = "application/json",
               std::string_view retry_after = {}, std::string_view cache = {});
    // {"error": {"code", "message"}} with the status.
    void fail(unsigned status, std::string_view code, std::string_view message,
              std::string_view retry_after = {});
    void fail(const ApiError& error) { fail(error.status, error.code, error.message); }

    Route route = Route::NotFound;
    std::string_view allow;  // the route's methods, for a 405
    bool head = false;       // a HEAD request: the headers of the GET answer, no body
    bool keep_alive = true;
    Principal principal;  // after AccessControl::authenticate

  private:
    const HttpRequest* request_;
    const boost::asio::ip::address* peer_;
    RequestTarget target_;
    Responder respond_;
    RequestMetrics& metrics_;
    std::int64_t started_;
    unsigned version_;
};

using RestCallPtr = std::shared_ptr<RestCall>;

// The HTTP status and API error code of an engine refusal (API.md): 402 for a short balance,
// 404 / 403 / 409 for an order that is unknown / another account's / final, 400 otherwise.
struct HttpRefusal {
    unsigned status;
    std::string_view code;
};
HttpRefusal http_refusal(RejectReason reason) noexcept;

// False, after answering 415, when a request that carries a body does not say it is JSON.
bool require_json(RestCall& call);
// False, after answering 503 with Retry-After, when the sequencer refused a submission.
bool submitted(RestCall& call, SubmitResult result);
// An optional integer query parameter in [min, max]; false after answering 400.
bool query_number(RestCall& call, const char* name, std::int64_t min, std::int64_t max,
                  std::optional<std::int64_t>& out);
// The optional ?symbol= of a listing, as a market; false after answering 400.
bool query_market(RestCall& call, const MarketCatalog& catalog, std::optional<MarketId>& out);

}  // namespace xtrader::api
