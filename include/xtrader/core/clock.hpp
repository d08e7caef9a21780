// The time source, an interface so that the sequencer can be driven by a fixed clock in tests.
// The engine never reads a clock: a command carries its timestamp.
#pragma once

#include <chrono>

#include "xtrader/core/types.hpp"

namespace xtrader {

class Clock {
  public:
    virtual ~Clock() = default;
    virtual Timestamp now() noexcept = 0;
};

class SystemClock final : public Clock {
  public:
    Timestamp now() noexcept override {
        return std::chrono::duration_cast<std::chrono::nanoseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace xtrader
