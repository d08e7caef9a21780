#include "xtrader/sequencer/sequencer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/snapshot.hpp"

namespace xtrader {

namespace {

inline void cpu_relax() noexcept {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

}  // namespace

// Appends the engine's events to the batch's event list.
class Sequencer::BatchEvents final : public EventHandler {
public:
    explicit BatchEvents(std::vector<Event>& events) noexcept : events_(events) {}
    void on_event(const Event& event) override { events_.push_back(event); }

private:
    std::vector<Event>& events_;
};

Sequencer::Sequencer(MatchingEngine& engine, Clock& clock, SequencerOptions options,
                     Sequence last_sequence)
    : engine_(engine),
      clock_(clock),
      options_(std::move(options)),
      queue_(options_.queue_capacity),
      journal_(journal_dir(options_.data_dir), last_sequence + 1, options_.fsync,
               options_.segment_bytes),
      next_sequence_(last_sequence + 1),
      last_snapshot_(last_sequence),
      committed_(last_sequence) {
    batch_.reserve(options_.max_batch);
    replies_.resize(options_.max_batch);
    event_ends_.reserve(options_.max_batch);
    events_.reserve(options_.max_batch * 8);
}

Sequencer::~Sequencer() { stop(); }

void Sequencer::start() {
    thread_ = std::thread([this] { run(); });
    snapshot_thread_ = std::thread([this] { snapshot_loop(); });
}

void Sequencer::stop() {
    if (!thread_.joinable()) return;
    stopping_.store(true, std::memory_order_seq_cst);
    sleeping_.store(false, std::memory_order_seq_cst);
    sleeping_.notify_one();
    thread_.join();
    {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_quit_ = true;
    }
    snapshot_cv_.notify_one();
    snapshot_thread_.join();
    take_snapshot(true);
}

SubmitResult Sequencer::submit(CommandBody command, Completion done) {
    // submitters_ lets the sequencer thread, once stopping, wait until no push is in flight
    // before its final drain; a submit that starts after stopping_ is set refuses.
    submitters_.fetch_add(1, std::memory_order_seq_cst);
    SubmitResult result = SubmitResult::Unavailable;
    if (!stopping_.load(std::memory_order_seq_cst) && accepting_.load(std::memory_order_acquire)) {
        Request request{std::move(command), std::move(done)};
        result = queue_.try_push(request) ? SubmitResult::Accepted : SubmitResult::QueueFull;
        if (result == SubmitResult::Accepted) {
            std::atomic_thread_fence(std::memory_order_seq_cst);
            if (sleeping_.load(std::memory_order_relaxed)) {
                sleeping_.store(false, std::memory_order_relaxed);
                sleeping_.notify_one();
            }
        }
    }
    submitters_.fetch_sub(1, std::memory_order_seq_cst);
    return result;
}

void Sequencer::run() {
    int idle = 0;
    for (;;) {
        if (const std::size_t n = drain(); n > 0) {
            process(n);
            idle = 0;
            continue;
        }
        if (stopping_.load(std::memory_order_seq_cst)) {
            while (submitters_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
            if (const std::size_t n = drain(); n > 0) {
                process(n);
                continue;
            }
            return;
        }
        // Spin briefly (a burst usually continues), then sleep until a submit wakes us. The
        // fence pairs with the one in submit(): either we see its push or it sees us asleep.
        if (++idle < 256) {
            cpu_relax();
            continue;
        }
        sleeping_.store(true, std::memory_order_relaxed);
        std::atomic_thread_fence(std::memory_order_seq_cst);
        if (const std::size_t n = drain(); n > 0) {
            sleeping_.store(false, std::memory_order_relaxed);
            process(n);
            idle = 0;
            continue;
        }
        if (!stopping_.load(std::memory_order_seq_cst)) sleeping_.wait(true);
        idle = 0;
    }
}

std::size_t Sequencer::drain() {
    Request request;
    while (batch_.size() < options_.max_batch && queue_.try_pop(request)) {
        batch_.push_back(std::move(request));
    }
    queue_.publish_head();
    return batch_.size();
}

// The order below is the durability contract: apply, append, commit per the policy, publish the
// committed sequence, and only then answer. Answering earlier would acknowledge a command that
// a crash could still lose.
void Sequencer::process(std::size_t count) {
    events_.clear();
    event_ends_.clear();
    BatchEvents handler(events_);
    for (std::size_t i = 0; i < count; ++i) {
        const Sequence sequence = next_sequence_++;
        const Timestamp timestamp = last_timestamp_ = std::max(clock_.now(), last_timestamp_);
        const std::size_t begin = events_.size();
        const RejectReason result =
            engine_.apply(Command{sequence, timestamp, batch_[i].command}, handler);
        journal_.append(sequence, timestamp, batch_[i].command,
                        std::span(events_).subspan(begin));
        if (options_.fsync == FsyncPolicy::Always) commit_batch();
        replies_[i] = CommandReply{sequence, timestamp, result, {}};
        event_ends_.push_back(events_.size());
    }
    commit_batch();
    committed_.store(next_sequence_ - 1, std::memory_order_release);
    stats_.commands.fetch_add(count, std::memory_order_relaxed);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);

    std::size_t begin = 0;
    for (std::size_t i = 0; i < count; ++i) {
        replies_[i].events = std::span(events_).subspan(begin, event_ends_[i] - begin);
        begin = event_ends_[i];
        if (batch_[i].done) batch_[i].done(replies_[i]);
    }
    batch_.clear();

    if (options_.snapshot_every != 0 &&
        next_sequence_ - 1 - last_snapshot_ >= options_.snapshot_every) {
        take_snapshot(false);
    }
}

// Commits the journal buffer, retrying until the disk takes it. Under `always` a failure stops
// the process (DESIGN.md: a reply may already be out); otherwise new submits are refused with
// Unavailable while it retries, and accepted again once a commit succeeds.
void Sequencer::commit_batch() {
    if (journal_.pending_bytes() == 0) return;
    const auto started = std::chrono::steady_clock::now();
    auto backoff = std::chrono::milliseconds(10);
    auto next_log = started;
    while (!journal_.commit()) {
        stats_.journal_errors.fetch_add(1, std::memory_order_relaxed);
        if (options_.fsync == FsyncPolicy::Always) {
            spdlog::critical("journal: {} under fsync=always; stopping", journal_.last_error());
            std::abort();
        }
        accepting_.store(false, std::memory_order_release);
        if (const auto now = std::chrono::steady_clock::now(); now >= next_log) {
            spdlog::error("journal: {}; refusing new commands and retrying",
                          journal_.last_error());
            next_log = now + std::chrono::seconds(10);
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
    if (!accepting_.load(std::memory_order_relaxed)) {
        spdlog::info("journal: writable again; accepting commands");
        accepting_.store(true, std::memory_order_release);
    }
    if (options_.fsync != FsyncPolicy::None) {
        stats_.syncs.fetch_add(1, std::memory_order_relaxed);
        stats_.sync_nanos.fetch_add(
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - started)
                                           .count()),
            std::memory_order_relaxed);
    }
}

void Sequencer::take_snapshot(bool synchronous) {
    const Sequence sequence = next_sequence_ - 1;
    std::vector<std::byte> state;
    ByteWriter out(state);
    engine_.save(out);
    if (synchronous) {
        write_snapshot(snapshot_dir(options_.data_dir), sequence, state);
        stats_.snapshots.fetch_add(1, std::memory_order_relaxed);
        last_snapshot_ = sequence;
        return;
    }
    {
        std::lock_guard lock(snapshot_mutex_);
        if (snapshot_busy_) return;  // the previous one is still being written; next time
        snapshot_pending_ = std::move(state);
        snapshot_pending_sequence_ = sequence;
        snapshot_busy_ = true;
    }
    snapshot_cv_.notify_one();
    last_snapshot_ = sequence;
}

void Sequencer::snapshot_loop() {
    std::unique_lock lock(snapshot_mutex_);
    for (;;) {
        snapshot_cv_.wait(lock, [this] { return snapshot_quit_ || snapshot_busy_; });
        if (!snapshot_busy_) return;
        std::vector<std::byte> state = std::move(snapshot_pending_);
        const Sequence sequence = snapshot_pending_sequence_;
        lock.unlock();
        try {
            write_snapshot(snapshot_dir(options_.data_dir), sequence, state);
            stats_.snapshots.fetch_add(1, std::memory_order_relaxed);
            // Segments can go once this snapshot and every cursor have passed them.
            Sequence floor = sequence + 1;
            for (const auto* cursor : cursors_) {
                floor = std::min(floor, cursor->load(std::memory_order_acquire) + 1);
            }
            remove_segments_before(journal_dir(options_.data_dir), floor);
        } catch (const std::exception& e) {
            spdlog::error("snapshot at sequence {} failed: {}", sequence, e.what());
        }
        lock.lock();
        snapshot_busy_ = false;
    }
}

}  // namespace xtrader
