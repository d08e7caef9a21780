#include "xtrader/api/access_control.hpp"

namespace xtrader::api {

AccessControl::AccessControl(Authenticator& auth, RequestMetrics& metrics, double rate_per_second,
                             double burst)
    : auth_(auth), metrics_(metrics), limiter_(KeyRegistry::kMaxKeys, rate_per_second, burst) {}

bool AccessControl::authenticate(RestCall& call, KeyScope scope) {
    const auto header = call.request().find("X-API-Key");
    if (header == call.request().end() || header->value().empty()) {
        call.fail(401, "unauthorized", "the X-API-Key header is missing");
        return false;
    }
    const auto result = auth_.key(header->value(), call.peer());
    if (const auto* failure = std::get_if<AuthFailure>(&result)) {
        return refuse(call, *failure, "the API key is not known");
    }
    call.principal = std::get<Principal>(result);
    if (scope == KeyScope::Trading && call.principal.scope != KeyScope::Trading) {
        call.fail(403, "read_only_key", "this API key may read the account but not trade");
        return false;
    }
    if (!limiter_.allow(call.principal.slot, RateLimiter::now())) {
        call.fail(429, "rate_limited", "too many requests for this API key; slow down", "1");
        return false;
    }
    return true;
}

bool AccessControl::admin(RestCall& call) {
    const auto token = call.request().find("X-Admin-Token");
    const auto failure = auth_.admin(
        token != call.request().end() ? std::string_view(token->value()) : std::string_view{},
        call.peer());
    return !failure || refuse(call, *failure, "a valid X-Admin-Token header is required");
}

// 429 for an address over its failed-login budget, 401 otherwise; always false.
bool AccessControl::refuse(RestCall& call, AuthFailure failure, std::string_view unknown) {
    if (failure == AuthFailure::Throttled) {
        metrics_.count(EdgeEvent::AuthThrottled);
        call.fail(429, "auth_throttled",
                  "too many failed authentications from this address; wait a minute", "60");
    } else {
        call.fail(401, "unauthorized", unknown);
    }
    return false;
}

}  // namespace xtrader::api
