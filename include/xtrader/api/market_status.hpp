// Which markets are halted, for GET /api/v1/markets and the HTS: loaded from the recovered
// engine, then kept by the committed MarketHaltChanged events. Written on the completion thread
// (a CommitObserver), read by io threads without a lock.
#pragma once

#include <atomic>
#include <memory>

#include "xtrader/engine/matching_engine.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::api {

class MarketStatus final : public CommitObserver {
  public:
    explicit MarketStatus(std::size_t markets)
        : markets_(markets), halted_(std::make_unique<std::atomic<bool>[]>(markets)) {}

    // Start-up, before the sequencer starts.
    void load(const MatchingEngine& engine) {
        for (MarketId m = 0; m < markets_; ++m) halted_[m].store(engine.halted(m));
    }
    void on_committed(const CommandReply& reply) override {
        if (reply.command == nullptr || !std::holds_alternative<SetMarketHalted>(*reply.command)) {
            return;
        }
        for (const auto& event : reply.events) {
            if (const auto* changed = std::get_if<MarketHaltChanged>(&event)) {
                halted_[changed->market].store(changed->halted, std::memory_order_release);
            }
        }
    }
    bool halted(MarketId market) const noexcept {
        return halted_[market].load(std::memory_order_acquire);
    }

  private:
    std::size_t markets_;
    std::unique_ptr<std::atomic<bool>[]> halted_;
};

}  // namespace xtrader::api
