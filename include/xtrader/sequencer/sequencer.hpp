// The sequencer: the single writer of the engine.
//
// Any thread submits a command with a completion; a full inbound queue refuses at once. The
// sequencer thread drains a batch, stamps each command with the next sequence number and a
// timestamp, applies it to the engine, appends command and events to the journal and writes the
// batch. The completion thread then syncs it per the fsync policy, publishes the committed
// sequence and only then runs the batch's completions: a reply is never sent for a command a
// crash could lose. The two overlap (group commit, pipelined): while one batch is being synced
// the next is being matched, and one fdatasync covers every batch written before it.
// Every N commands, and at stop(), the engine is snapshotted.
//
// Threads: submit() and the accessors from any thread. Completions run on the completion thread
// in sequence order; they must be short (post to an executor).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "xtrader/core/clock.hpp"
#include "xtrader/engine/matching_engine.hpp"
#include "xtrader/sequencer/inbound_queue.hpp"
#include "xtrader/sequencer/journal.hpp"

namespace xtrader {

struct SequencerOptions {
    std::filesystem::path data_dir;  // journal/ and snapshots/ below it
    FsyncPolicy fsync = FsyncPolicy::Batch;
    std::size_t queue_capacity = 65536;
    std::size_t max_batch = 4096;
    std::size_t segment_bytes = 64 << 20;
    std::uint64_t snapshot_every = 1'000'000;  // commands; 0 = only at stop()
    // Called on the syncing thread just before each fdatasync of the journal, with the last
    // sequence that sync covers. A seam for tests, which hold a sync in it to prove that no
    // answer leaves before its sync; empty in the daemon.
    std::function<void(Sequence covered)> before_sync;
};

// What a submitter learns about its command; the span and the pointer are valid during the
// completion only. For an inspection, sequence is the last command it saw and command is null.
struct CommandReply {
    Sequence sequence = 0;
    Timestamp timestamp = 0;
    RejectReason result = RejectReason::None;
    std::span<const Event> events;
    const CommandBody* command = nullptr;
};

using Completion = std::function<void(const CommandReply&)>;
// A read of the engine at a point in the command stream, run on the sequencer thread. It must
// copy out what it needs; its completion runs once everything it saw is committed.
using Inspection = std::function<void(const MatchingEngine&)>;

// Sees every committed command, in sequence order, on the completion thread, before the
// command's own completion runs: the in-process feed of the embedded mode.
class CommitObserver {
  public:
    virtual ~CommitObserver() = default;
    virtual void on_committed(const CommandReply& /*reply*/) {}
    // After the completions of a batch have run: lets a relay hand them on in one go.
    virtual void on_batch_answered() {}
};

enum class SubmitResult : std::uint8_t {
    Accepted,
    QueueFull,    // back-pressure: try again later (503 with Retry-After)
    Unavailable,  // stopping, or the journal cannot be written (503)
};

// Figures for /metrics; updated by the sequencer thread, read anywhere.
struct SequencerStats {
    std::atomic<std::uint64_t> commands{0};
    std::atomic<std::uint64_t> batches{0};
    std::atomic<std::uint64_t> syncs{0};
    std::atomic<std::uint64_t> sync_nanos{0};
    std::atomic<std::uint64_t> snapshots{0};
    std::atomic<std::uint64_t> journal_errors{0};
};

class Sequencer {
  public:
    // The engine must already hold everything journaled (recover() first); last_sequence is the
    // last command in it.
    Sequencer(MatchingEngine& engine, Clock& clock, SequencerOptions options,
              Sequence last_sequence);
    ~Sequencer();
    Sequencer(const Sequencer&) = delete;
    Sequencer& operator=(const Sequencer&) = delete;

    void start();
    // Refuses new commands, answers every accepted one, writes a snapshot and joins the thread.
    void stop();

    SubmitResult submit(CommandBody command, Completion done);
    // Queued like a command, so it sees every command submitted before it; never journaled.
    SubmitResult inspect(Inspection read, Completion done);

    // Register before start().
    void add_observer(CommitObserver& observer) { observers_.push_back(&observer); }

    // The last sequence whose record is committed per the fsync policy; journal readers read up
    // to here.
    Sequence committed_sequence() const noexcept {
        return committed_.load(std::memory_order_acquire);
    }
    std::size_t queue_depth() const noexcept { return queue_.size(); }
    std::size_t queue_capacity() const noexcept { return queue_.capacity(); }
    const SequencerStats& stats() const noexcept { return stats_; }

    // Journal segments are deleted only once every registered cursor (a publisher's position)
    // and a snapshot have passed them. Register before start().
    void register_cursor(const std::atomic<Sequence>& cursor) { cursors_.push_back(&cursor); }

  private:
    struct Request {
        CommandBody command;
        Completion done;
        Inspection inspection;  // set: a read, not a command
    };
    SubmitResult enqueue(Request& request);
    // A batch on its way from the sequencer thread to the completion thread.
    struct Batch {
        std::vector<Request> requests;
        std::vector<CommandReply> replies;
        std::vector<std::size_t> event_ends;  // replies[i]'s events end here in `events`
        std::vector<Event> events;
        Sequence last_sequence = 0;
        std::shared_ptr<const JournalSegment> segment;
    };
    static constexpr std::uint64_t kBatchesInFlight = 4;
    static constexpr std::uint64_t kSequencerDone = std::uint64_t{1} << 63;

    void run();
    void complete();
    std::size_t drain(Batch& batch);
    void process(Batch& batch);
    void write_batch();
    // fdatasync of a segment that holds every record up to `covered`; false on failure.
    bool sync_journal(const JournalSegment& segment, Sequence covered);
    void take_snapshot(bool synchronous);
    void snapshot_loop();

    MatchingEngine& engine_;
    Clock& clock_;
    SequencerOptions options_;
    InboundQueue<Request> queue_;
    JournalWriter journal_;
    std::vector<const std::atomic<Sequence>*> cursors_;
    std::vector<CommitObserver*> observers_;

    Sequence next_sequence_;
    Timestamp last_timestamp_ = 0;
    Sequence last_snapshot_;
    std::atomic<Sequence> committed_;
    std::atomic<bool> accepting_{true};
    std::atomic<bool> stopping_{false};
    std::atomic<bool> sleeping_{false};
    std::atomic<int> submitters_{0};
    SequencerStats stats_;

    // Batches in flight: the sequencer thread fills batches_[written % K], the completion thread
    // answers batches_[answered % K]; written - answered <= K. kSequencerDone in batches_written_
    // tells the completion thread that no batch will follow.
    std::array<Batch, kBatchesInFlight> batches_;
    std::atomic<std::uint64_t> batches_written_{0};
    std::atomic<std::uint64_t> batches_answered_{0};
    std::thread thread_;
    std::thread completion_thread_;

    // Periodic snapshots are written by their own thread so the sequencer never waits on the
    // disk for them; the state is serialized on the sequencer thread (consistent, memory only).
    std::thread snapshot_thread_;  // waits for committed_ to reach a snapshot before writing it
    std::mutex snapshot_mutex_;
    std::condition_variable snapshot_cv_;
    std::vector<std::byte> snapshot_pending_;
    Sequence snapshot_pending_sequence_ = 0;
    bool snapshot_busy_ = false;
    bool snapshot_quit_ = false;
};

}  // namespace xtrader
