// Who a request is: API keys through the KeyRegistry, the admin token by its digest in constant
// time, and every failure counted against the client's address (AuthThrottle). One instance is
// shared by the REST and WebSocket servers. Thread-safe; lock-free on the order path.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <optional>
#include <string_view>
#include <variant>

#include "xtrader/api/auth_throttle.hpp"
#include "xtrader/api/key_registry.hpp"
#include "xtrader/api/secrets.hpp"

namespace xtrader::api {

enum class AuthFailure : std::uint8_t {
    Unknown,    // 401: no such key or token (counted against the address)
    Throttled,  // 429: the address failed too often this minute
    Closed,     // 401: no admin token is configured; the admin routes are closed
};

class Authenticator {
  public:
    // admin_token: empty closes the admin routes.
    Authenticator(KeyRegistry& keys, std::string_view admin_token,
                  std::uint32_t failures_per_minute)
        : keys_(keys), throttle_(failures_per_minute) {
        if (!admin_token.empty()) admin_ = sha256(admin_token);
    }

    std::variant<Principal, AuthFailure> key(std::string_view secret,
                                             const boost::asio::ip::address& peer) {
        const auto now = seconds();
        if (!throttle_.allow(peer, now)) return AuthFailure::Throttled;
        if (auto principal = keys_.authenticate(secret)) return *principal;
        throttle_.failed(peer, now);
        return AuthFailure::Unknown;
    }

    std::optional<AuthFailure> admin(std::string_view token, const boost::asio::ip::address& peer) {
        if (!admin_) return AuthFailure::Closed;
        const auto now = seconds();
        if (!throttle_.allow(peer, now)) return AuthFailure::Throttled;
        if (equal_in_constant_time(sha256(token), *admin_)) return std::nullopt;
        throttle_.failed(peer, now);
        return AuthFailure::Unknown;
    }

    KeyRegistry& keys() noexcept { return keys_; }

  private:
    static std::int64_t seconds() noexcept {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

    KeyRegistry& keys_;
    AuthThrottle throttle_;
    std::optional<Digest> admin_;
};

}  // namespace xtrader::api
