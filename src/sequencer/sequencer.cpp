#include "xtrader/sequencer/sequencer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "xtrader/core/thread_name.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/snapshot.hpp"

namespace xtrader {

namespace {

inline void cpu_relax() noexcept {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#endif
}

// Appends the engine's events to the batch's event list.
class BatchEvents final : public EventHandler {
  public:
    explicit BatchEvents(std::vector<Event>& events) noexcept : events_(events) {}
    void on_event(const Event& event) override { events_.push_back(event); }

  private:
    std::vector<Event>& events_;
};

}  // namespace

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
    for (auto& batch : batches_) {
        batch.requests.reserve(options_.max_batch);
        batch.replies.reserve(options_.max_batch);
        batch.event_ends.reserve(options_.max_batch);
        batch.events.reserve(options_.max_batch * 4);
    }
}

Sequencer::~Sequencer() {
    stop();
}

void Sequencer::start() {
    thread_ = std::thread([this] {
        name_this_thread("sequencer");
        run();
    });
    completion_thread_ = std::thread([this] {
        name_this_thread("seq-complete");
        complete();
    });
    snapshot_thread_ = std::thread([this] {
        name_this_thread("seq-snapshot");
        snapshot_loop();
    });
}

void Sequencer::stop() {
    if (!thread_.joinable()) return;
    stopping_.store(true, std::memory_order_seq_cst);
    sleeping_.store(false, std::memory_order_seq_cst);
    sleeping_.notify_one();
    thread_.join();
    completion_thread_.join();
    {
        std::lock_guard lock(snapshot_mutex_);
        snapshot_quit_ = true;
    }
    snapshot_cv_.notify_one();
    snapshot_thread_.join();
    take_snapshot(true);
}

SubmitResult Sequencer::submit(CommandBody command, Completion done) {
    Request request{std::move(command), std::move(done), {}};
    return enqueue(request);
}

SubmitResult Sequencer::inspect(Inspection read, Completion done) {
    Request request{{}, std::move(done), std::move(read)};
    return enqueue(request);
}

SubmitResult Sequencer::enqueue(Request& request) {
    // submitters_ lets the sequencer thread, once stopping, wait until no push is in flight
    // before its final drain; a submit that starts after stopping_ is set refuses.
    submitters_.fetch_add(1, std::memory_order_seq_cst);
    SubmitResult result = SubmitResult::Unavailable;
    if (!stopping_.load(std::memory_order_seq_cst) && accepting_.load(std::memory_order_acquire)) {
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
        // A free batch: at most kBatchesInFlight await their sync and replies.
        const std::uint64_t written = batches_written_.load(std::memory_order_relaxed);
        for (std::uint64_t answered = batches_answered_.load(std::memory_order_acquire);
             written - answered >= kBatchesInFlight;
             answered = batches_answered_.load(std::memory_order_acquire)) {
            batches_answered_.wait(answered, std::memory_order_acquire);
        }
        Batch& batch = batches_[written % kBatchesInFlight];
        if (drain(batch) > 0) {
            process(batch);
            idle = 0;
            continue;
        }
        if (stopping_.load(std::memory_order_seq_cst)) {
            while (submitters_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
            if (drain(batch) > 0) {
                process(batch);
                continue;
            }
            batches_written_.fetch_or(kSequencerDone, std::memory_order_release);
            batches_written_.notify_one();
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
        if (drain(batch) > 0) {
            sleeping_.store(false, std::memory_order_relaxed);
            process(batch);
            idle = 0;
            continue;
        }
        if (!stopping_.load(std::memory_order_seq_cst)) sleeping_.wait(true);
        idle = 0;
    }
}

std::size_t Sequencer::drain(Batch& batch) {
    Request request;
    while (batch.requests.size() < options_.max_batch && queue_.try_pop(request)) {
        batch.requests.push_back(std::move(request));
    }
    queue_.publish_head();
    return batch.requests.size();
}

// Apply and journal the batch, write it (not yet synced) and hand it to the completion thread.
void Sequencer::process(Batch& batch) {
    BatchEvents handler(batch.events);
    const Sequence first = next_sequence_;
    for (auto& request : batch.requests) {
        if (request.inspection) {
            request.inspection(engine_);
            batch.replies.push_back(CommandReply{next_sequence_ - 1, last_timestamp_});
            batch.event_ends.push_back(batch.events.size());
            continue;
        }
        const Sequence sequence = next_sequence_++;
        const Timestamp timestamp = last_timestamp_ = std::max(clock_.now(), last_timestamp_);
        const std::size_t begin = batch.events.size();
        const RejectReason result =
            engine_.apply(Command{sequence, timestamp, request.command}, handler);
        journal_.append(sequence, timestamp, request.command,
                        std::span(batch.events).subspan(begin));
        if (options_.fsync == FsyncPolicy::Always) write_batch();
        batch.replies.push_back(CommandReply{sequence, timestamp, result, {}, &request.command});
        batch.event_ends.push_back(batch.events.size());
    }
    write_batch();
    batch.last_sequence = next_sequence_ - 1;
    batch.segment = journal_.segment();
    stats_.commands.fetch_add(next_sequence_ - first, std::memory_order_relaxed);
    stats_.batches.fetch_add(1, std::memory_order_relaxed);
    batches_written_.fetch_add(1, std::memory_order_release);
    batches_written_.notify_one();

    if (options_.snapshot_every != 0 &&
        next_sequence_ - 1 - last_snapshot_ >= options_.snapshot_every) {
        take_snapshot(false);
    }
}

// Writes the journal buffer (and under `always` syncs it), retrying until the disk takes it.
// While it retries new submits are refused with Unavailable (503); under `always` a failure
// stops the process instead (DESIGN.md: a reply may already be out).
void Sequencer::write_batch() {
    if (journal_.pending_bytes() == 0) return;
    const bool sync_here = options_.fsync == FsyncPolicy::Always;
    auto backoff = std::chrono::milliseconds(10);
    auto next_log = std::chrono::steady_clock::now();
    while (!journal_.write()) {
        stats_.journal_errors.fetch_add(1, std::memory_order_relaxed);
        if (sync_here) {
            spdlog::critical("journal: {} under fsync=always; stopping", journal_.last_error());
            std::abort();
        }
        accepting_.store(false, std::memory_order_release);
        if (const auto now = std::chrono::steady_clock::now(); now >= next_log) {
            spdlog::error("journal: {}; refusing new commands and retrying", journal_.last_error());
            next_log = now + std::chrono::seconds(10);
        }
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
    }
    if (!accepting_.load(std::memory_order_relaxed)) {
        spdlog::info("journal: writable again; accepting commands");
        accepting_.store(true, std::memory_order_release);
    }
    if (sync_here && !sync_journal(*journal_.segment(), next_sequence_ - 1)) {
        spdlog::critical("journal: fdatasync failed under fsync=always: {}; stopping",
                         std::strerror(errno));
        std::abort();
    }
}

bool Sequencer::sync_journal(const JournalSegment& segment, Sequence covered) {
    if (options_.before_sync) options_.before_sync(covered);
    const auto started = std::chrono::steady_clock::now();
    if (!segment.sync()) return false;
    const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
        std::chrono::steady_clock::now() - started);
    stats_.syncs.fetch_add(1, std::memory_order_relaxed);
    stats_.sync_nanos.fetch_add(static_cast<std::uint64_t>(nanos.count()),
                                std::memory_order_relaxed);
    return true;
}

// The completion thread: sync (under `batch`), publish, answer, in batch order. A failed
// fdatasync stops the process, as PostgreSQL does: the kernel may have dropped the pages it
// could not write, so a retry that succeeds would prove nothing.
void Sequencer::complete() {
    Sequence synced = committed_.load(std::memory_order_relaxed);
    for (std::uint64_t answered = 0;; ++answered) {
        std::uint64_t written = batches_written_.load(std::memory_order_acquire);
        while ((written & ~kSequencerDone) == answered) {
            if ((written & kSequencerDone) != 0) return;
            batches_written_.wait(written, std::memory_order_acquire);
            written = batches_written_.load(std::memory_order_acquire);
        }
        written &= ~kSequencerDone;
        Batch& batch = batches_[answered % kBatchesInFlight];
        if (options_.fsync == FsyncPolicy::Batch && batch.last_sequence > synced) {
            // The sync covers every batch written to this segment before it begins.
            Sequence covered = batch.last_sequence;
            for (std::uint64_t later = answered; later < written; ++later) {
                const Batch& b = batches_[later % kBatchesInFlight];
                if (b.segment != batch.segment) break;
                covered = b.last_sequence;
            }
            if (!sync_journal(*batch.segment, covered)) {
                spdlog::critical("journal: fdatasync of {} failed: {}; stopping",
                                 batch.segment->path().string(), std::strerror(errno));
                std::abort();
            }
            synced = covered;
        }
        committed_.store(batch.last_sequence, std::memory_order_release);

        std::size_t begin = 0;
        for (std::size_t i = 0; i < batch.requests.size(); ++i) {
            auto& reply = batch.replies[i];
            reply.events = std::span(batch.events).subspan(begin, batch.event_ends[i] - begin);
            begin = batch.event_ends[i];
            if (reply.command != nullptr) {
                for (auto* observer : observers_) observer->on_committed(reply);
            }
            if (batch.requests[i].done) batch.requests[i].done(reply);
        }
        for (auto* observer : observers_) observer->on_batch_answered();
        batch.requests.clear();
        batch.replies.clear();
        batch.event_ends.clear();
        batch.events.clear();
        batch.segment.reset();
        batches_answered_.store(answered + 1, std::memory_order_release);
        batches_answered_.notify_one();
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
        // The state may include a batch still being synced; a snapshot must never get ahead of
        // the journal it sits on.
        while (committed_.load(std::memory_order_acquire) < sequence) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        }
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
