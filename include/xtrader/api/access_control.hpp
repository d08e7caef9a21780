// The gate of the REST routes: who the caller is (an API key with its scope, or the admin
// token), and whether the key is within its request rate. A refusal is answered here: 401 with
// no or an unknown credential, 403 for a read-only key that asks to trade, 429 past the key's
// rate or after too many failures from the address. Thread-safe; no lock on the order path.
#pragma once

#include "xtrader/api/authenticator.hpp"
#include "xtrader/api/rate_limiter.hpp"
#include "xtrader/api/rest_call.hpp"

namespace xtrader::api {

class AccessControl {
  public:
    // rate <= 0: no limit per key.
    AccessControl(Authenticator& auth, RequestMetrics& metrics, double rate_per_second,
                  double burst);

    // The caller's key, with at least `scope`, into call.principal; false after answering.
    bool authenticate(RestCall& call, KeyScope scope = KeyScope::ReadOnly);
    // A valid X-Admin-Token; false after answering.
    bool admin(RestCall& call);

    KeyRegistry& keys() noexcept { return auth_.keys(); }

  private:
    bool refuse(RestCall& call, AuthFailure failure, std::string_view unknown);

    Authenticator& auth_;
    RequestMetrics& metrics_;
    RateLimiter limiter_;  // by key slot
};

}  // namespace xtrader::api
