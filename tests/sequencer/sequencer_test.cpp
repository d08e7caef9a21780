#include "xtrader/sequencer/sequencer.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>

#include "order_flow.hpp"
#include "temp_dir.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/snapshot.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

TEST(Sequencer, ConcurrentSubmittersEachGetOneReplyInTheirOwnOrder) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = dir.path()}, 0);
    sequencer.start();

    constexpr int kThreads = 4;
    constexpr int kPerThread = 25'000;
    std::vector<std::vector<Sequence>> seen(kThreads);
    std::atomic<int> answered{0};
    std::atomic<bool> reply_before_commit{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kPerThread; ++i) {
                const auto account = static_cast<AccountId>(t + 1);
                auto done = [&, t, i, account](const CommandReply& reply) {
                    // Runs on the sequencer thread: no lock needed for seen[t].
                    seen[t].push_back(reply.sequence);
                    if (sequencer.committed_sequence() < reply.sequence) reply_before_commit = true;
                    EXPECT_EQ(reply.result, RejectReason::None);
                    EXPECT_EQ(reply.events.size(), 1u);
                    EXPECT_EQ(reply.events[0],
                              (Event{FundsDeposited{account, kTst, static_cast<Amount>(i + 1)}}));
                    ++answered;
                };
                while (sequencer.submit(Deposit{account, kTst, i + 1}, done) !=
                       SubmitResult::Accepted) {
                    std::this_thread::yield();
                }
            }
        });
    }
    for (auto& t : threads) t.join();
    while (answered < kThreads * kPerThread) std::this_thread::yield();
    sequencer.stop();

    EXPECT_FALSE(reply_before_commit);
    std::vector<Sequence> all;
    for (const auto& s : seen) {
        ASSERT_EQ(s.size(), static_cast<std::size_t>(kPerThread));
        EXPECT_TRUE(std::is_sorted(s.begin(), s.end()));  // FIFO per submitter
        all.insert(all.end(), s.begin(), s.end());
    }
    std::sort(all.begin(), all.end());
    for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], i + 1);  // contiguous, once
    const Amount each = Amount{kPerThread} * (kPerThread + 1) / 2;
    EXPECT_EQ(engine.ledger().total(kTst), each * kThreads);
    EXPECT_EQ(sequencer.stats().commands.load(), static_cast<std::uint64_t>(kThreads * kPerThread));
}

TEST(Sequencer, InspectionsSeeEveryEarlierCommandAndObserversSeeEveryCommitInOrder) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    Sequencer sequencer(engine, clock, SequencerOptions{.data_dir = dir.path()}, 0);
    struct Recorder final : CommitObserver {
        void on_committed(const CommandReply& reply) override {
            sequences.push_back(reply.sequence);
            EXPECT_TRUE(std::holds_alternative<Deposit>(*reply.command));
        }
        std::vector<Sequence> sequences;
    } recorder;
    sequencer.add_observer(recorder);
    sequencer.start();

    std::atomic<int> checked{0};
    for (int i = 1; i <= 2000; ++i) {
        ASSERT_EQ(sequencer.submit(Deposit{1, kUsd, 1}, {}), SubmitResult::Accepted);
        if (i % 100 != 0) continue;
        auto seen = std::make_shared<Amount>(-1);
        ASSERT_EQ(
            sequencer.inspect(
                [seen](const MatchingEngine& e) { *seen = e.ledger().balance(1, kUsd).available; },
                [&, seen, i](const CommandReply& reply) {
                    EXPECT_EQ(*seen, i);  // every deposit before it, none after
                    EXPECT_EQ(reply.sequence, static_cast<Sequence>(i));
                    EXPECT_EQ(reply.command, nullptr);
                    EXPECT_GE(sequencer.committed_sequence(), reply.sequence);
                    ++checked;
                }),
            SubmitResult::Accepted);
    }
    while (checked < 20) std::this_thread::yield();
    sequencer.stop();
    ASSERT_EQ(recorder.sequences.size(), 2000u);
    for (std::size_t i = 0; i < 2000; ++i) EXPECT_EQ(recorder.sequences[i], i + 1);
    EXPECT_EQ(sequencer.stats().commands.load(), 2000u);
}

TEST(Sequencer, AFullQueueIsRefusedAtOnceAndDrainedLater) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    Sequencer sequencer(engine, clock,
                        SequencerOptions{.data_dir = dir.path(), .queue_capacity = 16}, 0);
    std::atomic<int> answered{0};
    const auto count = [&](const CommandReply&) { ++answered; };
    for (int i = 0; i < 16; ++i) {
        ASSERT_EQ(sequencer.submit(Deposit{1, kUsd, 1}, count), SubmitResult::Accepted);
    }
    EXPECT_EQ(sequencer.submit(Deposit{1, kUsd, 1}, count), SubmitResult::QueueFull);
    EXPECT_EQ(sequencer.queue_depth(), 16u);
    sequencer.start();
    while (answered < 16) std::this_thread::yield();
    EXPECT_EQ(sequencer.submit(Deposit{1, kUsd, 1}, count), SubmitResult::Accepted);
    sequencer.stop();
    EXPECT_EQ(answered, 17);
    EXPECT_EQ(engine.ledger().total(kUsd), 17);
}

TEST(Sequencer, StopAnswersEverythingAcceptedThenRefusesAndSnapshots) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    auto sequencer = std::make_unique<Sequencer>(
        engine, clock, SequencerOptions{.data_dir = dir.path(), .snapshot_every = 0}, 0);
    sequencer->start();
    std::atomic<int> accepted{0};
    std::atomic<int> answered{0};
    std::atomic<bool> submitting{true};
    std::thread producer([&] {
        OrderFlow flow(9);
        for (const auto& c : flow.funding()) {
            if (sequencer->submit(c, [&](const CommandReply&) { ++answered; }) ==
                SubmitResult::Accepted) {
                ++accepted;
            }
        }
        for (Sequence s = 21; submitting; ++s) {
            switch (sequencer->submit(flow.next(s), [&](const CommandReply&) { ++answered; })) {
                case SubmitResult::Accepted: ++accepted; break;
                case SubmitResult::QueueFull: --s; break;
                case SubmitResult::Unavailable: submitting = false; break;
            }
        }
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    sequencer->stop();
    producer.join();
    EXPECT_GT(accepted, 1000);
    EXPECT_EQ(answered, accepted);
    EXPECT_EQ(sequencer->submit(Deposit{1, kUsd, 1}, {}), SubmitResult::Unavailable);

    const auto snapshots = list_snapshots(snapshot_dir(dir.path()));
    ASSERT_EQ(snapshots.size(), 1u);
    EXPECT_EQ(snapshots[0].first, static_cast<Sequence>(accepted.load()));
    MatchingEngine recovered(test_catalog());
    const auto report = recover(recovered, dir.path());
    EXPECT_EQ(report.snapshot_sequence, static_cast<Sequence>(accepted.load()));
    EXPECT_EQ(report.state_hash, engine.state_hash());
}

TEST(Sequencer, EveryFsyncPolicyJournalsEveryCommand) {
    for (FsyncPolicy policy : {FsyncPolicy::Always, FsyncPolicy::Batch, FsyncPolicy::None}) {
        TempDir dir;
        MatchingEngine engine(test_catalog());
        StepClock clock;
        {
            Sequencer sequencer(
                engine, clock,
                SequencerOptions{.data_dir = dir.path(), .fsync = policy, .snapshot_every = 0}, 0);
            sequencer.start();
            std::atomic<int> answered{0};
            OrderFlow flow(10);
            Sequence s = 0;
            for (const auto& c : flow.funding()) {
                ++s;
                ASSERT_EQ(sequencer.submit(c, [&](const CommandReply&) { ++answered; }),
                          SubmitResult::Accepted);
            }
            while (s < 500) {
                ASSERT_EQ(
                    sequencer.submit(flow.next(++s), [&](const CommandReply&) { ++answered; }),
                    SubmitResult::Accepted);
            }
            while (answered < 500) std::this_thread::yield();
            EXPECT_EQ(sequencer.stats().syncs.load() > 0, policy != FsyncPolicy::None);
        }
        std::filesystem::remove_all(snapshot_dir(dir.path()));
        MatchingEngine replayed(test_catalog());
        const auto report = recover(replayed, dir.path());
        EXPECT_EQ(report.replayed, 500u) << to_string(policy);
        EXPECT_EQ(report.state_hash, engine.state_hash()) << to_string(policy);
    }
}

// DESIGN.md: a reply is sent only after the sync that covers its command. Each sync is held in
// the before_sync seam until the test lets it go; no answer may arrive while its sync is held,
// and every answer must be at or below what the released syncs cover. No timing involved.
TEST(Sequencer, NoAnswerLeavesBeforeTheSyncThatCoversIt) {
    for (FsyncPolicy policy : {FsyncPolicy::Always, FsyncPolicy::Batch}) {
        TempDir dir;
        MatchingEngine engine(test_catalog());
        StepClock clock;
        std::mutex mutex;
        std::condition_variable changed;
        Sequence waiting = 0;   // the sync being held covers up to this (0: none held)
        Sequence released = 0;  // syncs covering up to this may go
        bool hold = true;
        SequencerOptions options{.data_dir = dir.path(), .fsync = policy, .snapshot_every = 0};
        options.before_sync = [&](Sequence covered) {
            std::unique_lock lock(mutex);
            waiting = covered;
            changed.notify_all();
            changed.wait(lock, [&] { return !hold || released >= covered; });
            waiting = 0;
        };
        Sequencer sequencer(engine, clock, options, 0);
        sequencer.start();
        std::atomic<Sequence> answered{0};
        std::atomic<bool> early{false};
        for (Sequence i = 1; i <= 20; ++i) {
            ASSERT_EQ(sequencer.submit(Deposit{1, kUsd, 1},
                                       [&](const CommandReply& reply) {
                                           std::lock_guard lock(mutex);
                                           if (reply.sequence > released) early = true;
                                           answered = reply.sequence;
                                       }),
                      SubmitResult::Accepted);
            std::unique_lock lock(mutex);
            changed.wait(lock, [&] { return waiting >= i; });  // its sync is being held
            EXPECT_EQ(answered.load(), i - 1) << to_string(policy);
            released = waiting;
            changed.notify_all();
            lock.unlock();
            while (answered.load() < i) std::this_thread::yield();
        }
        {
            std::lock_guard lock(mutex);
            hold = false;
            changed.notify_all();
        }
        sequencer.stop();
        EXPECT_FALSE(early) << to_string(policy);
        EXPECT_EQ(answered.load(), 20u);
    }
}

// A segment rollover that fails (here: a directory squats on the new segment's name) must not
// kill the sequencer: new commands are refused (503) while it retries, then all is answered.
TEST(Sequencer, AFailedSegmentRolloverRefusesCommandsUntilItSucceeds) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    Sequencer sequencer(engine, clock,
                        SequencerOptions{.data_dir = dir.path(),
                                         .fsync = FsyncPolicy::Batch,
                                         .segment_bytes = 64,
                                         .snapshot_every = 0},
                        0);
    sequencer.start();
    std::atomic<int> answered{0};
    const auto deposit = [&] {
        return sequencer.submit(Deposit{1, kUsd, 1}, [&](const CommandReply&) { ++answered; });
    };
    ASSERT_EQ(deposit(), SubmitResult::Accepted);
    while (answered < 1) std::this_thread::yield();
    const auto blocked = segment_path(journal_dir(dir.path()), 2);
    std::filesystem::create_directory(blocked);
    ASSERT_EQ(deposit(), SubmitResult::Accepted);
    // The sequencer takes it, fails to roll over, and refuses from then on while it retries.
    while (sequencer.stats().journal_errors.load() == 0) std::this_thread::yield();
    int accepted = 2;
    SubmitResult result;
    while ((result = deposit()) == SubmitResult::Accepted) ++accepted;  // a race at most
    EXPECT_EQ(result, SubmitResult::Unavailable);
    std::filesystem::remove(blocked);
    while (answered < accepted) std::this_thread::yield();
    while (deposit() != SubmitResult::Accepted) std::this_thread::yield();
    ++accepted;
    while (answered < accepted) std::this_thread::yield();
    sequencer.stop();
    EXPECT_EQ(engine.ledger().balance(1, kUsd).available, accepted);
}

TEST(Sequencer, AJournalReaderTailsTheCommittedEventsWhileOrdersFlow) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    StepClock clock;
    Sequencer sequencer(engine, clock,
                        SequencerOptions{.data_dir = dir.path(), .segment_bytes = 64 << 10}, 0);
    sequencer.start();

    // What the replies said, to compare with what the reader finds in the journal.
    std::vector<std::vector<Event>> replied(1);
    std::mutex mutex;
    std::atomic<int> answered{0};
    constexpr int kCommands = 20'000;
    std::atomic<bool> reader_done{false};
    std::vector<JournalRecord> read;
    std::thread reader([&] {
        JournalReader journal(journal_dir(dir.path()), 1);
        while (read.size() < static_cast<std::size_t>(kCommands)) {
            if (auto record = journal.next(sequencer.committed_sequence())) {
                read.push_back(std::move(*record));
            } else {
                std::this_thread::yield();
            }
        }
        reader_done = true;
    });
    OrderFlow flow(11);
    Sequence s = 0;
    const auto submit = [&](const CommandBody& c) {
        while (sequencer.submit(c, [&](const CommandReply& reply) {
            std::lock_guard lock(mutex);
            if (replied.size() <= reply.sequence) replied.resize(reply.sequence + 1);
            replied[reply.sequence].assign(reply.events.begin(), reply.events.end());
            ++answered;
        }) != SubmitResult::Accepted) {
            std::this_thread::yield();
        }
    };
    for (const auto& c : flow.funding()) {
        ++s;
        submit(c);
    }
    while (s < kCommands) submit(flow.next(++s));
    reader.join();
    sequencer.stop();
    ASSERT_EQ(read.size(), static_cast<std::size_t>(kCommands));
    for (std::size_t i = 0; i < read.size(); ++i) {
        ASSERT_EQ(read[i].sequence, i + 1);
        ASSERT_EQ(read[i].events, replied[i + 1]) << "sequence " << i + 1;
    }
    EXPECT_GT(list_segments(journal_dir(dir.path())).size(), 1u);
}

}  // namespace
}  // namespace xtrader
