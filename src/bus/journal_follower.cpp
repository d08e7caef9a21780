#include "xtrader/bus/journal_follower.hpp"

#include <spdlog/spdlog.h>

namespace xtrader {

std::string_view to_string(FollowerState state) noexcept {
    switch (state) {
        case FollowerState::Healthy: return "healthy";
        case FollowerState::Degraded: return "degraded";
        case FollowerState::Stopped: return "off";
    }
    return "off";
}

JournalFollower::JournalFollower(std::string name, std::filesystem::path journal_dir,
                                 std::function<Sequence()> committed, RecordConsumer& consumer,
                                 FollowerOptions options)
    : name_(std::move(name)),
      journal_dir_(std::move(journal_dir)),
      committed_(std::move(committed)),
      consumer_(consumer),
      options_(options) {
    cursor_.store(consumer_.position(), std::memory_order_release);
    reader_ = std::make_unique<JournalReader>(journal_dir_, cursor_.load() + 1);
}

JournalFollower::~JournalFollower() {
    stop();
}

std::size_t JournalFollower::step(Sequence limit) {
    if (batch_.empty()) {
        while (batch_.size() < options_.max_batch) {
            auto record = reader_->next(limit);
            if (!record) break;
            batch_.push_back(std::move(*record));
        }
    }
    const std::size_t count = batch_.size();
    if (count == 0) return 0;
    consumer_.consume(batch_);
    cursor_.store(batch_.back().sequence, std::memory_order_release);
    batch_.clear();
    return count;
}

void JournalFollower::catch_up(Sequence target) {
    while (cursor_.load(std::memory_order_relaxed) < target && step(target) > 0) {
    }
    if (cursor_.load() < target) {
        throw JournalError(name_ + " could not catch up to sequence " + std::to_string(target));
    }
}

void JournalFollower::start() {
    state_.store(FollowerState::Healthy);
    thread_ = std::thread([this] { run(); });
}

void JournalFollower::stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
    state_.store(FollowerState::Stopped);
}

void JournalFollower::run() {
    while (!stopping_.load(std::memory_order_relaxed)) {
        std::size_t taken = 0;
        try {
            taken = step(committed_());
            if (state_.exchange(FollowerState::Healthy) == FollowerState::Degraded) {
                spdlog::info("{}: recovered at sequence {}", name_, cursor_.load());
            }
        } catch (const std::exception& e) {
            failures_.fetch_add(1, std::memory_order_relaxed);
            if (state_.exchange(FollowerState::Degraded) != FollowerState::Degraded) {
                spdlog::error("{}: {}; retrying from sequence {}", name_, e.what(),
                              cursor_.load() + 1);
            }
            std::this_thread::sleep_for(options_.retry);
            continue;
        }
        // Unless it is behind by a whole batch, let records gather: fewer, larger transactions.
        if (taken < options_.max_batch) std::this_thread::sleep_for(options_.idle_poll);
    }
    // What is committed by now is taken in before stopping (a clean shutdown leaves no lag).
    try {
        while (step(committed_()) > 0) {
        }
    } catch (const std::exception& e) {
        spdlog::error("{}: {} while stopping; it resumes from sequence {} next start", name_,
                      e.what(), cursor_.load() + 1);
    }
}

}  // namespace xtrader
