// Tails the journal from a consumer's durable position and hands it the committed records in
// batches: the mechanism every journal reader with a durable cursor shares (the trade store's
// writer now; the broker publishers later).
//
// The consumer stores its position itself, atomically with what it did (a database position in
// the same transaction as the rows), so a crash anywhere resumes exactly after the last batch
// it made durable. A failing consumer is retried with the same batch, never skipped; the follower
// is then Degraded until a batch goes through. It never waits on, or slows, the sequencer.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <thread>

#include "xtrader/sequencer/journal.hpp"

namespace xtrader {

class RecordConsumer {
  public:
    virtual ~RecordConsumer() = default;
    // The last sequence the consumer has durably taken in; it resumes after it.
    virtual Sequence position() = 0;
    // Takes in the records, durably, before returning; throws to have them retried.
    virtual void consume(std::span<const JournalRecord> records) = 0;
};

enum class FollowerState : std::uint8_t { Healthy, Degraded, Stopped };
std::string_view to_string(FollowerState state) noexcept;

struct FollowerOptions {
    std::size_t max_batch = 2000;
    // The pause after a batch that was not full: records gather meanwhile, so the consumer sees
    // fewer, larger batches (a transaction each), at the price of this much lag.
    std::chrono::milliseconds idle_poll{2};
    std::chrono::milliseconds retry{1000};  // after a failed batch
};

class JournalFollower {
  public:
    // committed: the sequencer's committed sequence (records up to it are complete on disk).
    JournalFollower(std::string name, std::filesystem::path journal_dir,
                    std::function<Sequence()> committed, RecordConsumer& consumer,
                    FollowerOptions options = {});
    ~JournalFollower();
    JournalFollower(const JournalFollower&) = delete;
    JournalFollower& operator=(const JournalFollower&) = delete;

    // Brings the consumer up to `target` on the calling thread (start-up, before the sequencer).
    void catch_up(Sequence target);
    void start();
    void stop();

    const std::string& name() const noexcept { return name_; }
    // The consumer's position; journal segments before it may be deleted.
    const std::atomic<Sequence>& cursor() const noexcept { return cursor_; }
    FollowerState state() const noexcept { return state_.load(std::memory_order_relaxed); }
    std::uint64_t failures() const noexcept { return failures_.load(std::memory_order_relaxed); }

  private:
    // One batch: read what is committed and hand it over; returns how many records it took.
    std::size_t step(Sequence limit);
    void run();

    std::string name_;
    std::filesystem::path journal_dir_;
    std::function<Sequence()> committed_;
    RecordConsumer& consumer_;
    FollowerOptions options_;
    std::atomic<Sequence> cursor_{0};
    std::atomic<FollowerState> state_{FollowerState::Stopped};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<bool> stopping_{false};
    std::unique_ptr<JournalReader> reader_;
    std::vector<JournalRecord> batch_;  // kept across a failed attempt
    std::thread thread_;
};

}  // namespace xtrader
