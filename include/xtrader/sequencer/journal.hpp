// The journal: segmented, append-only files holding every command with the events it produced.
//
// File layout (docs/JOURNAL.md has the full description):
//   segment  = header { magic "XTRJRNL1", u64 first_sequence } then records
//   record   = u32 length | u32 crc32c | u64 sequence | u16 type | u16 version | payload
//              length counts the bytes after the crc field; the crc covers exactly those bytes
//   payload  = i64 timestamp | command | u32 event count | events   (record_codec.hpp)
// Sequence numbers are contiguous across segments. A segment is named after its first sequence.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "xtrader/core/types.hpp"
#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/sequencer/record_codec.hpp"

namespace xtrader {

// When appended records reach the disk, as Redis' appendfsync. A reply is sent only after its
// command is covered by the policy.
enum class FsyncPolicy : std::uint8_t {
    // fdatasync after every command: slowest; a crash loses nothing that was appended.
    Always,
    // One fdatasync per sequencer batch (group commit), before any reply of the batch is sent:
    // a crash loses nothing that was acknowledged. The default.
    Batch,
    // Never sync; the OS writes back when it likes. Fastest; a crash of the machine (not of the
    // process) can lose acknowledged commands from the last seconds.
    None,
};

std::string_view to_string(FsyncPolicy policy) noexcept;
std::optional<FsyncPolicy> parse_fsync_policy(std::string_view text) noexcept;

inline constexpr std::uint16_t kRecordTypeCommand = 1;
inline constexpr std::size_t kRecordHeaderBytes = 4 + 4 + 8 + 2 + 2;
inline constexpr std::size_t kSegmentHeaderBytes = 16;
inline constexpr char kSegmentMagic[8] = {'X', 'T', 'R', 'J', 'R', 'N', 'L', '1'};

// Thrown when the journal cannot be trusted: a corrupt record before the tail, a gap in the
// sequence, a replay that disagrees with what was recorded. what() says where.
class JournalError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

std::filesystem::path segment_path(const std::filesystem::path& dir, Sequence first_sequence);
// The journal's segments, oldest first, with their first sequence numbers.
std::vector<std::pair<Sequence, std::filesystem::path>> list_segments(
    const std::filesystem::path& dir);
// Deletes the segments whose records all precede `sequence`; never the newest segment.
void remove_segments_before(const std::filesystem::path& dir, Sequence sequence);

// An open segment file. Shared so that a segment being synced stays open after the writer has
// moved on to the next one.
class JournalSegment {
  public:
    JournalSegment(int fd, std::filesystem::path path) noexcept : fd_(fd), path_(std::move(path)) {}
    ~JournalSegment();
    JournalSegment(const JournalSegment&) = delete;
    JournalSegment& operator=(const JournalSegment&) = delete;

    int fd() const noexcept { return fd_; }
    const std::filesystem::path& path() const noexcept { return path_; }
    // fdatasync; safe from any thread.
    bool sync() const noexcept;

  private:
    int fd_;
    std::filesystem::path path_;
};

// Appends records to the newest segment. Owned by the sequencer thread; not thread-safe, except
// that the segment() it hands out may be synced from another thread.
class JournalWriter {
  public:
    // Opens the journal in `dir` for appending `next_sequence` onwards: after recovery, the newest
    // segment has been cut to its last valid record and appending continues there.
    JournalWriter(std::filesystem::path dir, Sequence next_sequence, FsyncPolicy policy,
                  std::size_t segment_bytes);
    ~JournalWriter();
    JournalWriter(const JournalWriter&) = delete;
    JournalWriter& operator=(const JournalWriter&) = delete;

    // Encodes one record into the pending buffer. Sequences must be contiguous.
    void append(Sequence sequence, Timestamp timestamp, const CommandBody& command,
                std::span<const Event> events);

    // Writes the pending buffer to the current segment (rolling over to a new one first when it
    // is full) without syncing. On an I/O error the file is cut back to where the buffer began,
    // so a retry writes the same bytes again, and false is returned with last_error().
    bool write();
    // write(), then fdatasync unless the policy is None.
    bool commit();
    // The segment the last write() went to.
    const std::shared_ptr<const JournalSegment>& segment() const noexcept { return segment_; }

    Sequence next_sequence() const noexcept { return next_sequence_; }
    const std::string& last_error() const noexcept { return last_error_; }
    std::size_t pending_bytes() const noexcept { return buffer_.size(); }

  private:
    // Creates the segment and syncs its header and name; false (last_error) on failure, leaving
    // no file behind.
    bool open_segment(Sequence first_sequence);
    bool fail(const char* what);

    std::filesystem::path dir_;
    FsyncPolicy policy_;
    std::size_t segment_bytes_;
    std::shared_ptr<const JournalSegment> segment_;
    std::uint64_t file_size_ = 0;
    Sequence next_sequence_;
    Sequence buffer_first_sequence_ = 0;
    std::vector<std::byte> buffer_;
    std::string last_error_;
};

// One decoded record.
struct JournalRecord {
    Sequence sequence = 0;
    Timestamp timestamp = 0;
    CommandBody command;
    std::vector<Event> events;
    std::uint16_t version = kRecordPayloadVersion;  // the payload layout it was written in
};

// Decodes a record's payload (after the record header) in the layout record.version names;
// false when it does not parse.
bool decode_record_payload(std::span<const std::byte> payload, JournalRecord& record);

// Reads records in order from a sequence number onwards, following new segments as they appear;
// the way publishers tail the events. Reads only records at or below the limit the caller
// passes (the sequencer's committed sequence), which are complete on disk. One reader per thread.
class JournalReader {
  public:
    JournalReader(std::filesystem::path dir, Sequence from);
    ~JournalReader();
    JournalReader(const JournalReader&) = delete;
    JournalReader& operator=(const JournalReader&) = delete;

    // Decodes the next record with sequence <= limit into `record`, reusing its storage; false
    // when there is none yet. Throws JournalError, naming the file and offset, when a record at
    // or below the limit is corrupt (bad length, checksum or encoding) or missing.
    bool next(Sequence limit, JournalRecord& record);
    // The same, into a fresh record.
    std::optional<JournalRecord> next(Sequence limit);

    Sequence position() const noexcept { return next_; }  // the sequence it will return next

  private:
    bool open_segment_for(Sequence sequence);
    void refresh_file_size();
    // The n bytes at offset in the open segment, read ahead in chunks; nullptr when the file
    // ends before them. `limit` is the committed sequence the caller reads up to.
    const std::byte* bytes_at(std::uint64_t offset, std::size_t n, Sequence limit);

    std::filesystem::path dir_;
    Sequence next_;
    int fd_ = -1;
    Sequence segment_first_ = 0;
    std::uint64_t offset_ = 0;
    std::uint64_t file_size_ = 0;  // of the open segment, when last looked at
    // Read-ahead: one pread serves many records. Bytes past the committed records may still be
    // cut back by a writer that failed and retries, so a chunk serves only the records that
    // were committed when it was read (up to chunk_limit_).
    std::vector<std::byte> chunk_;
    std::uint64_t chunk_offset_ = 0;  // the segment offset of chunk_[0]
    std::size_t chunk_bytes_ = 0;     // how much of chunk_ holds file bytes
    Sequence chunk_limit_ = 0;
};

}  // namespace xtrader
