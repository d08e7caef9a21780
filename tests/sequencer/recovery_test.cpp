#include "xtrader/sequencer/recovery.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <fstream>
#include <future>
#include <iterator>

#include "order_flow.hpp"
#include "temp_dir.hpp"
#include "xtrader/sequencer/crc32c.hpp"
#include "xtrader/sequencer/record_codec.hpp"
#include "xtrader/sequencer/sequencer.hpp"
#include "xtrader/sequencer/snapshot.hpp"

namespace xtrader {
namespace {

using namespace xtrader::testing;

// Runs `count` commands through a real sequencer on data_dir, waiting for every reply; returns
// the last sequence. `before_stop` runs while the sequencer is still up (a crash test dies in it).
Sequence run_flow(MatchingEngine& engine, const std::filesystem::path& data_dir,
                  Sequence last_sequence, std::size_t count, std::uint64_t seed,
                  SequencerOptions options = {}, const std::function<void()>& before_stop = {}) {
    StepClock clock;
    options.data_dir = data_dir;
    Sequencer sequencer(engine, clock, options, last_sequence);
    sequencer.start();
    OrderFlow flow(seed);
    std::vector<CommandBody> commands =
        last_sequence == 0 ? flow.funding() : std::vector<CommandBody>{};
    for (Sequence s = last_sequence + commands.size() + 1; commands.size() < count; ++s) {
        commands.push_back(flow.next(s));
    }
    std::atomic<std::size_t> answered{0};
    std::promise<void> all;
    for (auto& command : commands) {
        while (sequencer.submit(command, [&](const CommandReply&) {
            if (++answered == count) all.set_value();
        }) != SubmitResult::Accepted) {
            std::this_thread::yield();
        }
    }
    all.get_future().wait();
    if (before_stop) before_stop();
    return sequencer.committed_sequence();
}

std::uint64_t recovered_hash(const std::filesystem::path& data_dir, RecoveryReport* out = nullptr) {
    MatchingEngine engine(test_catalog());
    const auto report = recover(engine, data_dir);
    if (out != nullptr) *out = report;
    return report.state_hash;
}

std::filesystem::path newest_segment(const std::filesystem::path& data_dir) {
    return list_segments(journal_dir(data_dir)).back().second;
}

TEST(Recovery, AfterSigkillAndATornTailTheStateIsTheAcknowledgedOne) {
    TempDir dir;
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child runs a real sequencer, reports the state every reply vouched for, and dies
        // without any shutdown: no snapshot, nothing flushed but what the policy synced.
        MatchingEngine engine(test_catalog());
        run_flow(engine, dir.path(), 0, 20'000, 1,
                 SequencerOptions{.fsync = FsyncPolicy::Batch, .snapshot_every = 0}, [&] {
                     const std::uint64_t hash = engine.state_hash();
                     [[maybe_unused]] auto n = ::write(fds[1], &hash, sizeof hash);
                     ::raise(SIGKILL);
                 });
        ::_exit(1);  // not reached
    }
    ::close(fds[1]);
    std::uint64_t acknowledged = 0;
    ASSERT_EQ(::read(fds[0], &acknowledged, sizeof acknowledged),
              static_cast<ssize_t>(sizeof acknowledged));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(child, &status, 0);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    EXPECT_TRUE(list_snapshots(snapshot_dir(dir.path())).empty());

    // Half of a record appended after the last one, as a crash mid-write leaves it.
    const auto segment = newest_segment(dir.path());
    const auto size = std::filesystem::file_size(segment);
    {
        std::ofstream out(segment, std::ios::binary | std::ios::app);
        const char torn[] = {0x40, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x21, 0x4e, 0, 0, 0};
        out.write(torn, sizeof torn);
    }

    RecoveryReport report;
    EXPECT_EQ(recovered_hash(dir.path(), &report), acknowledged);
    EXPECT_EQ(report.last_sequence, 20'000u);
    EXPECT_EQ(report.replayed, 20'000u);
    EXPECT_EQ(report.truncated_bytes, 13u);
    EXPECT_EQ(std::filesystem::file_size(segment), size);

    // The exchange carries on from there, and a second recovery sees both runs.
    MatchingEngine engine(test_catalog());
    const Sequence last = recover(engine, dir.path()).last_sequence;
    EXPECT_EQ(run_flow(engine, dir.path(), last, 5000, 2), 25'000u);
    EXPECT_EQ(recovered_hash(dir.path(), &report), engine.state_hash());
    EXPECT_EQ(report.last_sequence, 25'000u);
}

TEST(Recovery, SnapshotPlusTailEqualsFullReplay) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    // A segment size that keeps the whole journal (nothing is pruned from the newest segment).
    run_flow(engine, dir.path(), 0, 30'000, 3,
             SequencerOptions{.segment_bytes = 1 << 30, .snapshot_every = 4000});
    const auto expected = engine.state_hash();  // the sequencer stopped: a final snapshot too

    RecoveryReport report;
    EXPECT_EQ(recovered_hash(dir.path(), &report), expected);
    EXPECT_EQ(report.snapshot_sequence, 30'000u);
    EXPECT_EQ(report.replayed, 0u);

    // The older snapshot plus a longer tail.
    const auto snapshots = list_snapshots(snapshot_dir(dir.path()));
    ASSERT_EQ(snapshots.size(), 2u);
    std::filesystem::remove(snapshots[0].second);
    EXPECT_EQ(recovered_hash(dir.path(), &report), expected);
    EXPECT_EQ(report.snapshot_sequence, snapshots[1].first);
    EXPECT_EQ(report.replayed, 30'000u - snapshots[1].first);

    // A damaged snapshot is passed over for the journal.
    {
        std::fstream f(snapshots[1].second, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(100);
        f.put('\x7f');
    }
    EXPECT_EQ(recovered_hash(dir.path(), &report), expected);
    EXPECT_EQ(report.snapshot_sequence, 0u);
    EXPECT_EQ(report.replayed, 30'000u);
}

TEST(Recovery, ACorruptRecordInTheMiddleStopsRecoveryAndSaysWhere) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    run_flow(engine, dir.path(), 0, 2000, 4, SequencerOptions{.snapshot_every = 0});
    std::filesystem::remove_all(snapshot_dir(dir.path()));
    const auto segment = newest_segment(dir.path());
    const auto size = std::filesystem::file_size(segment);
    {
        std::fstream f(segment, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(size / 2));
        const char c = static_cast<char>(f.peek());
        f.put(static_cast<char>(c ^ 0x01));
    }
    MatchingEngine fresh(test_catalog());
    try {
        recover(fresh, dir.path());
        FAIL() << "recovery accepted a corrupt journal";
    } catch (const JournalError& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("corrupt journal record"), std::string::npos) << what;
        EXPECT_NE(what.find(segment.filename().string()), std::string::npos) << what;
    }
    EXPECT_EQ(std::filesystem::file_size(segment), size);  // nothing was cut
}

TEST(Recovery, AMissingSegmentIsAGapNotASkip) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    run_flow(engine, dir.path(), 0, 3000, 5,
             SequencerOptions{.max_batch = 16, .segment_bytes = 16 << 10, .snapshot_every = 0});
    std::filesystem::remove_all(snapshot_dir(dir.path()));
    const auto segments = list_segments(journal_dir(dir.path()));
    ASSERT_GT(segments.size(), 3u);
    std::filesystem::remove(segments[1].second);
    MatchingEngine fresh(test_catalog());
    EXPECT_THROW(recover(fresh, dir.path()), JournalError);
}

TEST(Recovery, ACorruptRecordInAnOlderSegmentIsNeverTreatedAsATornTail) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    run_flow(engine, dir.path(), 0, 3000, 6,
             SequencerOptions{.max_batch = 16, .segment_bytes = 16 << 10, .snapshot_every = 0});
    std::filesystem::remove_all(snapshot_dir(dir.path()));
    const auto first = list_segments(journal_dir(dir.path())).front().second;
    // Cut the older segment short: its last record is now torn, but it is not the tail.
    std::filesystem::resize_file(first, std::filesystem::file_size(first) - 5);
    MatchingEngine fresh(test_catalog());
    EXPECT_THROW(recover(fresh, dir.path()), JournalError);
}

// Rewrites a segment as a build before book versions wrote it: payload version 1, no BookVersion
// events, amendments as that build's MoveOrder (a new price only), orders without a stop price.
void write_as_version_1(const std::filesystem::path& segment) {
    std::ifstream in(segment, std::ios::binary);
    const std::vector<char> chars{std::istreambuf_iterator<char>(in), {}};
    const auto* bytes = reinterpret_cast<const std::byte*>(chars.data());
    std::vector<std::byte> out(bytes, bytes + kSegmentHeaderBytes);
    for (std::size_t offset = kSegmentHeaderBytes; offset < chars.size();) {
        std::uint32_t length;
        Sequence sequence;
        std::memcpy(&length, bytes + offset, 4);
        std::memcpy(&sequence, bytes + offset + 8, 8);
        JournalRecord record;
        ASSERT_TRUE(decode_record_payload(
            std::span(bytes + offset + kRecordHeaderBytes, length + 8 - kRecordHeaderBytes),
            record));
        offset += 8 + length;
        const std::size_t start = out.size();
        ByteWriter w(out);
        w.put(std::uint32_t{0});
        w.put(std::uint32_t{0});
        w.put(sequence);
        w.put(kRecordTypeCommand);
        w.put(std::uint16_t{1});
        w.put(record.timestamp);
        // Version 1 and 2 lacked the last field of these two (the flow leaves them 0).
        if (const auto* amend = std::get_if<AmendOrder>(&record.command)) {
            ASSERT_EQ(amend->new_quantity, 0);
            w.put(static_cast<std::uint8_t>(record.command.index()));
            w.put(amend->account);
            w.put(amend->order_id);
            w.put(amend->new_price);
        } else if (const auto* place = std::get_if<PlaceOrder>(&record.command)) {
            ASSERT_EQ(place->stop_price, 0);
            encode(w, record.command);
            out.erase(out.end() - sizeof(Price), out.end());
        } else {
            encode(w, record.command);
        }
        std::erase_if(record.events,
                      [](const Event& e) { return std::holds_alternative<BookVersion>(e); });
        w.put(static_cast<std::uint32_t>(record.events.size()));
        for (const auto& event : record.events) encode(w, event);
        const auto body = std::span(out).subspan(start + 8);
        const auto new_length = static_cast<std::uint32_t>(body.size());
        const std::uint32_t crc = crc32c(body);
        std::memcpy(out.data() + start, &new_length, 4);
        std::memcpy(out.data() + start + 4, &crc, 4);
    }
    std::ofstream(segment, std::ios::binary | std::ios::trunc)
        .write(reinterpret_cast<const char*>(out.data()), static_cast<std::streamsize>(out.size()));
}

TEST(Recovery, AJournalWrittenBeforeBookVersionsRecoversTheSameState) {
    TempDir dir;
    MatchingEngine engine(test_catalog());
    run_flow(engine, dir.path(), 0, 3000, 6, SequencerOptions{.snapshot_every = 0});
    std::filesystem::remove_all(snapshot_dir(dir.path()));
    write_as_version_1(newest_segment(dir.path()));
    // The replay makes the versions again; the old records are compared without them.
    RecoveryReport report;
    EXPECT_EQ(recovered_hash(dir.path(), &report), engine.state_hash());
    EXPECT_EQ(report.replayed, 3000u);
    JournalReader reader(journal_dir(dir.path()), 1);
    const auto first = reader.next(3000);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->version, 1u);
}

TEST(Recovery, AnEmptyDataDirectoryIsAnEmptyExchange) {
    TempDir dir;
    RecoveryReport report;
    MatchingEngine empty(test_catalog());
    EXPECT_EQ(recovered_hash(dir.path(), &report), empty.state_hash());
    EXPECT_EQ(report.last_sequence, 0u);
}

}  // namespace
}  // namespace xtrader
