// Per-key request rate limiting with GCRA (the generic cell rate algorithm): one atomic
// "theoretical arrival time" per key, so io threads check it lock-free. Allows `rate` requests
// per second on average with bursts of up to `burst`.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

namespace xtrader::api {

class RateLimiter {
  public:
    // keys are dense indices below key_count; rate <= 0 disables limiting.
    RateLimiter(std::size_t key_count, double rate, double burst)
        : slots_(std::make_unique<Slot[]>(key_count)),
          interval_ns_(rate > 0 ? static_cast<std::int64_t>(1e9 / rate) : 0),
          tolerance_ns_(rate > 0 ? static_cast<std::int64_t>(1e9 / rate * (burst - 1)) : 0) {}

    // True when the request may go ahead; any thread.
    bool allow(std::size_t key, std::int64_t now_ns) noexcept {
        if (interval_ns_ == 0) return true;
        auto& tat = slots_[key].tat;
        std::int64_t current = tat.load(std::memory_order_relaxed);
        for (;;) {
            const std::int64_t start = current > now_ns ? current : now_ns;
            if (start - now_ns > tolerance_ns_) return false;
            if (tat.compare_exchange_weak(current, start + interval_ns_,
                                          std::memory_order_relaxed)) {
                return true;
            }
        }
    }

    static std::int64_t now() noexcept {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::steady_clock::now().time_since_epoch())
            .count();
    }

  private:
    struct alignas(64) Slot {
        std::atomic<std::int64_t> tat{0};
    };
    std::unique_ptr<Slot[]> slots_;
    std::int64_t interval_ns_;
    std::int64_t tolerance_ns_;
};

}  // namespace xtrader::api
