#include "xtrader/bus/journal_follower.hpp"

#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include "xtrader/core/thread_name.hpp"

namespace xtrader {

std::string_view to_string(FollowerState state) noexcept {
    switch (state) {
        case FollowerState::Healthy: return "healthy";
        case FollowerState::Degraded: return "degraded";
        case FollowerState::Recovering: return "recovering";
        case FollowerState::Off: return "off";
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
}

void JournalFollower::open_reader() {
    if (reader_) return;
    cursor_.store(consumer_.position(), std::memory_order_release);
    reader_ = std::make_unique<JournalReader>(journal_dir_, cursor_.load() + 1);
}

JournalFollower::~JournalFollower() {
    stop();
}

std::size_t JournalFollower::step(Sequence limit) {
    if (batch_size_ == 0) {
        while (batch_size_ < options_.max_batch) {
            if (batch_size_ == batch_.size()) batch_.emplace_back();
            if (!reader_->next(limit, batch_[batch_size_])) break;
            ++batch_size_;
        }
    }
    const std::size_t count = batch_size_;
    if (count == 0) return 0;
    const std::span<const JournalRecord> records(batch_.data(), count);
    consumer_.consume(records);
    cursor_.store(records.back().sequence, std::memory_order_release);
    taken_.fetch_add(count, std::memory_order_relaxed);
    batch_size_ = 0;
    return count;
}

void JournalFollower::catch_up(Sequence target) {
    open_reader();
    while (cursor_.load(std::memory_order_relaxed) < target && step(target) > 0) {
    }
    if (cursor_.load() < target) {
        throw JournalError(name_ + " could not catch up to sequence " + std::to_string(target));
    }
}

void JournalFollower::start() {
    open_reader();
    state_.store(FollowerState::Healthy);
    last_figures_ = std::chrono::steady_clock::now();
    update_spool();
    thread_ = std::thread([this] {
        name_this_thread(name_);
        // Background work: under CPU contention the sequencer's threads go first (Linux nice is
        // per thread; threads this one starts inherit it).
        if (options_.nice != 0 &&
            ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), options_.nice) != 0) {
            spdlog::debug("{}: setpriority: {}", name_, std::strerror(errno));
        }
        run();
    });
}

void JournalFollower::stop() {
    stopping_.store(true);
    if (thread_.joinable()) thread_.join();
    state_.store(FollowerState::Off);
}

bool JournalFollower::probe() {
    const auto until = std::chrono::steady_clock::now() + options_.probe_interval;
    while (std::chrono::steady_clock::now() < until) {
        if (stopping_.load(std::memory_order_relaxed)) return false;
        update_figures();
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            std::chrono::milliseconds(50), until - std::chrono::steady_clock::now()));
    }
    try {
        return consumer_.probe();
    } catch (const std::exception& e) {
        spdlog::debug("{}: probe: {}", name_, e.what());
        return false;
    }
}

void JournalFollower::update_figures() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_figures_ < std::chrono::seconds(1)) return;
    const double seconds = std::chrono::duration<double>(now - last_figures_).count();
    const std::uint64_t taken = taken_.load(std::memory_order_relaxed);
    rate_.store(
        static_cast<std::uint64_t>(static_cast<double>(taken - taken_at_last_figures_) / seconds),
        std::memory_order_relaxed);
    taken_at_last_figures_ = taken;
    last_figures_ = now;
    update_spool();
}

void JournalFollower::update_spool() {
    // The segment holding the next record to read, and every later one, stay on disk for us.
    const Sequence next = cursor_.load(std::memory_order_relaxed) + 1;
    std::uint64_t bytes = 0;
    const auto segments = list_segments(journal_dir_);
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const bool holds_next = i + 1 == segments.size() || segments[i + 1].first > next;
        if (!holds_next) continue;
        std::error_code ec;
        const auto size = std::filesystem::file_size(segments[i].second, ec);
        if (!ec) bytes += size;
    }
    spooled_bytes_.store(bytes, std::memory_order_relaxed);
    const bool alarm = options_.disk_budget != 0 && bytes > options_.disk_budget;
    if (alarm != disk_alarm_.exchange(alarm)) {
        if (alarm) {
            spdlog::error("{}: {} journal bytes kept for it, beyond the disk budget of {}", name_,
                          bytes, options_.disk_budget);
        } else {
            spdlog::info("{}: journal kept for it back within the disk budget", name_);
        }
    }
}

void JournalFollower::run() {
    while (!stopping_.load(std::memory_order_relaxed)) {
        update_figures();
        if (state_.load(std::memory_order_relaxed) == FollowerState::Degraded) {
            if (!probe()) continue;
            state_.store(FollowerState::Recovering);
            spdlog::info("{}: sink answers; replaying from sequence {}", name_, cursor_.load() + 1);
        }
        std::size_t taken = 0;
        try {
            const Sequence committed = committed_();
            taken = step(committed);
            if (state_.load(std::memory_order_relaxed) == FollowerState::Recovering &&
                committed - cursor_.load(std::memory_order_relaxed) <= options_.max_batch) {
                state_.store(FollowerState::Healthy);
                spdlog::info("{}: recovered at sequence {}", name_, cursor_.load());
            }
        } catch (const std::exception& e) {
            failures_.fetch_add(1, std::memory_order_relaxed);
            if (state_.exchange(FollowerState::Degraded) == FollowerState::Healthy) {
                spdlog::error("{}: {}; holding from sequence {} until it answers", name_, e.what(),
                              cursor_.load() + 1);
            }
            continue;
        }
        // Unless it is behind by a whole batch, let records gather: fewer, larger transactions.
        if (taken < options_.max_batch) std::this_thread::sleep_for(options_.idle_poll);
    }
    // What is committed by now is taken in before stopping (a clean shutdown leaves no lag),
    // unless the sink is down.
    if (state_.load() == FollowerState::Degraded) return;
    try {
        while (step(committed_()) > 0) {
        }
    } catch (const std::exception& e) {
        spdlog::error("{}: {} while stopping; it resumes from sequence {} next start", name_,
                      e.what(), cursor_.load() + 1);
    }
}

}  // namespace xtrader
