// Failed authentications per client address: an address past `limit` failures in a minute is
// refused (429) until the minute is over, whether the next key it tries is right or not, so API
// keys and the admin token cannot be guessed at network speed.
//
// A fixed table of atomic counters indexed by a hash of the address (an IPv6 address by its /64,
// which one host usually owns whole): checking costs one relaxed load, no lock and no
// allocation, on every authenticated request. Two addresses that share a slot share a budget;
// with 4096 slots that is rare and only ever makes the limit stricter.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <cstdint>

namespace xtrader::api {

class AuthThrottle {
  public:
    explicit AuthThrottle(std::uint32_t failures_per_minute) noexcept
        : limit_(failures_per_minute) {}

    // False while the address is over its budget; limit 0 never refuses.
    bool allow(const boost::asio::ip::address& address, std::int64_t now_seconds) const noexcept {
        if (limit_ == 0) return true;
        const auto state = slot(address).load(std::memory_order_relaxed);
        return window(state) != minute(now_seconds) || count(state) < limit_;
    }

    void failed(const boost::asio::ip::address& address, std::int64_t now_seconds) noexcept {
        if (limit_ == 0) return;
        auto& s = slot(address);
        const auto now = minute(now_seconds);
        auto state = s.load(std::memory_order_relaxed);
        for (;;) {
            const std::uint64_t next =
                window(state) == now ? state + 1 : (std::uint64_t{now} << 32 | 1);
            if (s.compare_exchange_weak(state, next, std::memory_order_relaxed)) return;
        }
    }

  private:
    static constexpr std::size_t kSlots = 4096;
    static std::uint32_t minute(std::int64_t seconds) noexcept {
        return static_cast<std::uint32_t>(seconds / 60);
    }
    static std::uint32_t window(std::uint64_t state) noexcept {
        return static_cast<std::uint32_t>(state >> 32);
    }
    static std::uint32_t count(std::uint64_t state) noexcept {
        return static_cast<std::uint32_t>(state);
    }
    std::atomic<std::uint64_t>& slot(const boost::asio::ip::address& address) const noexcept {
        std::uint64_t key = 0;
        if (address.is_v4()) {
            key = address.to_v4().to_uint();
        } else if (address.to_v6().is_v4_mapped()) {  // a dual-stack socket's IPv4 client
            key = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6())
                      .to_uint();
        } else {
            const auto bytes = address.to_v6().to_bytes();
            for (std::size_t i = 0; i < 8; ++i) key = key << 8 | bytes[i];
            key ^= 0x9E3779B97F4A7C15ULL;  // keep v6 /64s apart from v4 addresses
        }
        key *= 0x9E3779B97F4A7C15ULL;
        return slots_[key >> 52];  // the top 12 bits: 4096 slots
    }

    std::uint32_t limit_;
    mutable std::array<std::atomic<std::uint64_t>, kSlots> slots_{};
};

}  // namespace xtrader::api
