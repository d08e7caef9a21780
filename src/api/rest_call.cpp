#include "xtrader/api/rest_call.hpp"

#include <chrono>

#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

std::int64_t steady_nanos() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

}  // namespace

RestCall::RestCall(const HttpRequest& request, const boost::asio::ip::address& peer,
                   Responder respond, RequestMetrics& metrics)
    : keep_alive(request.keep_alive()),
      request_(&request),
      peer_(&peer),
      target_(request.target()),
      respond_(std::move(respond)),
      metrics_(metrics),
      started_(steady_nanos()),
      version_(request.version()) {}

HttpAnswer encode_answer(unsigned status, unsigned version, bool keep_alive, std::string_view type,
                         std::string_view body, bool head, const AnswerHeaders& headers) {
    const auto reason = http::obsolete_reason(static_cast<http::status>(status));
    HttpAnswer answer{{}, !keep_alive};
    std::string& w = answer.wire;
    w.reserve(160 + (head ? 0 : body.size()));
    w.append(version >= 11 ? "HTTP/1.1 " : "HTTP/1.0 ").append(std::to_string(status));
    w.append(" ").append(reason.data(), reason.size());
    w.append("\r\nServer: xtraderd\r\nContent-Type: ").append(type);
    const auto header = [&w](std::string_view name, std::string_view value) {
        if (!value.empty()) w.append("\r\n").append(name).append(": ").append(value);
    };
    header("Retry-After", headers.retry_after);
    header("Cache-Control", headers.cache_control);
    header("Allow", headers.allow);
    // HTTP/1.1 keeps the connection unless told; HTTP/1.0 closes it unless told.
    if (version >= 11 && !keep_alive) header("Connection", "close");
    if (version < 11 && keep_alive) header("Connection", "keep-alive");
    header("Content-Length", std::to_string(body.size()));
    w.append("\r\n\r\n");
    if (!head) w.append(body);
    return answer;
}

std::string error_body(std::string_view code, std::string_view message) {
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("error").begin_object();
    json.key("code").string(code).key("message").string(message);
    json.end_object().end_object();
    return body;
}

void RestCall::reply(unsigned status, std::string body, std::string_view type,
                     std::string_view retry_after, std::string_view cache) {
    auto answer = encode_answer(status, version_, keep_alive, type, body, head,
                                {retry_after, cache, status == 405 ? allow : std::string_view{}});
    metrics_.record(route, status, steady_nanos() - started_);
    respond_(std::move(answer));
}

void RestCall::fail(unsigned status, std::string_view code, std::string_view message,
                    std::string_view retry_after) {
    reply(status, error_body(code, message), "application/json", retry_after);
}

HttpRefusal http_refusal(RejectReason reason) noexcept {
    switch (reason) {
        case RejectReason::InsufficientBalance: return {402, "insufficient_balance"};
        case RejectReason::UnknownOrder: return {404, "order_not_found"};
        case RejectReason::NotOwner: return {403, "forbidden"};
        case RejectReason::OrderClosed: return {409, "order_closed"};
        case RejectReason::MarketHalted: return {409, "market_halted"};
        default: return {400, to_string(reason)};
    }
}

bool require_json(RestCall& call) {
    if (call.request()[http::field::content_type].starts_with("application/json")) return true;
    call.fail(415, "unsupported_media_type", "the body must be application/json");
    return false;
}

bool submitted(RestCall& call, SubmitResult result) {
    switch (result) {
        case SubmitResult::Accepted: return true;
        case SubmitResult::QueueFull:
            call.fail(503, "overloaded", "the order queue is full; retry shortly", "1");
            return false;
        case SubmitResult::Unavailable:
            call.fail(503, "unavailable", "the exchange is not accepting commands now", "1");
            return false;
    }
    return false;
}

bool query_number(RestCall& call, const char* name, std::int64_t min, std::int64_t max,
                  std::optional<std::int64_t>& out) {
    const auto* text = call.target().param(name);
    if (text == nullptr) return true;
    const auto value = parse_unsigned(*text);
    if (!value || static_cast<std::int64_t>(*value) < min ||
        *value > static_cast<std::uint64_t>(max)) {
        call.fail(400, std::string("invalid_") + name,
                  std::string(name) + " must be an integer between " + std::to_string(min) +
                      " and " + std::to_string(max));
        return false;
    }
    out = static_cast<std::int64_t>(*value);
    return true;
}

bool query_market(RestCall& call, const MarketCatalog& catalog, std::optional<MarketId>& out) {
    const auto* symbol = call.target().param("symbol");
    if (symbol == nullptr) return true;
    const auto* market = catalog.find(*symbol);
    if (market == nullptr) {
        call.fail(400, "unknown_symbol", "unknown symbol \"" + *symbol + "\"");
        return false;
    }
    out = static_cast<MarketId>(market - catalog.markets.data());
    return true;
}

}  // namespace xtrader::api
