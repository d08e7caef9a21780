// Tails the journal from a consumer's durable position and hands it the committed records in
// batches: the publisher base every journal reader with a durable cursor shares (the trade
// store's writer, the broker publishers).
//
// The consumer stores its position itself, durably with what it did (a database position in the
// same transaction as the rows, a cursor file once the broker acknowledged), so a crash anywhere
// resumes after the last batch it made durable. The journal behind the cursor is the local
// failover queue: nothing is dropped while a sink is down, and the sequencer never waits on it.
//
// Health, per follower:
//   healthy    -> degraded    a batch failed; the same batch is kept and nothing is skipped
//   degraded   -> recovering  the consumer's probe() answered (asked every probe_interval)
//   recovering -> healthy     the replay from the cursor caught up to within one batch
//   recovering -> degraded    a batch failed again
// `off` before start() and after stop().
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
    // Whether the sink answers again (a broker's PING); asked while degraded.
    virtual bool probe() { return true; }
    // Messages handed to a broker and not acknowledged yet (any thread): a publisher's window.
    virtual std::uint64_t unacknowledged() const noexcept { return 0; }
};

enum class FollowerState : std::uint8_t { Healthy, Degraded, Recovering, Off };
std::string_view to_string(FollowerState state) noexcept;

struct FollowerOptions {
    std::size_t max_batch = 2000;
    // The pause after a batch that was not full: records gather meanwhile, so the consumer sees
    // fewer, larger batches (a transaction each), at the price of this much lag.
    std::chrono::milliseconds idle_poll{2};
    std::chrono::milliseconds probe_interval{5000};  // while degraded
    // An alarm (log, metric, readiness) when the journal kept for this follower grows past this
    // many bytes: its sink has been down too long. 0: no alarm.
    std::uint64_t disk_budget = 0;
    // The follower thread's nice value (0..19): a follower is background work, and under CPU
    // contention the sequencer's threads should go first.
    int nice = 10;
};

class JournalFollower {
  public:
    // committed: the sequencer's committed sequence (records up to it are complete on disk). The
    // follower resumes from the consumer's position as it is when it first runs (catch_up or
    // start), so a consumer may be loaded after the follower is built.
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
    // Records taken in since start, and per second over the last full second.
    std::uint64_t taken() const noexcept { return taken_.load(std::memory_order_relaxed); }
    std::uint64_t rate() const noexcept { return rate_.load(std::memory_order_relaxed); }
    // The journal bytes from the cursor's segment on: what is kept on disk for this follower.
    std::uint64_t spooled_bytes() const noexcept {
        return spooled_bytes_.load(std::memory_order_relaxed);
    }
    bool disk_alarm() const noexcept { return disk_alarm_.load(std::memory_order_relaxed); }
    std::uint64_t unacknowledged() const noexcept { return consumer_.unacknowledged(); }

  private:
    void open_reader();  // at the consumer's position, once
    // One batch: read what is committed and hand it over; returns how many records it took.
    std::size_t step(Sequence limit);
    void run();
    // Waits for the probe interval (or stop), then asks the consumer; true when it answered.
    bool probe();
    // Once a second: the rate, then update_spool().
    void update_figures();
    // The spooled bytes and the disk alarm.
    void update_spool();

    std::string name_;
    std::filesystem::path journal_dir_;
    std::function<Sequence()> committed_;
    RecordConsumer& consumer_;
    FollowerOptions options_;
    std::atomic<Sequence> cursor_{0};
    std::atomic<FollowerState> state_{FollowerState::Off};
    std::atomic<std::uint64_t> failures_{0};
    std::atomic<std::uint64_t> taken_{0};
    std::atomic<std::uint64_t> rate_{0};
    std::atomic<std::uint64_t> spooled_bytes_{0};
    std::atomic<bool> disk_alarm_{false};
    std::uint64_t taken_at_last_figures_ = 0;
    std::chrono::steady_clock::time_point last_figures_{};
    std::atomic<bool> stopping_{false};
    std::unique_ptr<JournalReader> reader_;  // opened by the first catch_up or start
    // The records of the batch in hand, the first batch_size_ of them; kept across a failed
    // attempt. Their storage is reused from batch to batch.
    std::vector<JournalRecord> batch_;
    std::size_t batch_size_ = 0;
    std::thread thread_;
};

}  // namespace xtrader
