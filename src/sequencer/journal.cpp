#include "xtrader/sequencer/journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>

#include "xtrader/core/binary.hpp"
#include "xtrader/sequencer/crc32c.hpp"
#include "xtrader/sequencer/record_codec.hpp"

namespace xtrader {

namespace {

constexpr std::string_view kSegmentPrefix = "journal-";
constexpr std::string_view kSegmentSuffix = ".log";

std::string errno_text(const char* what) {
    return std::string(what) + ": " + std::strerror(errno);
}

bool sync_directory(const std::filesystem::path& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool synced = ::fsync(fd) == 0;
    ::close(fd);
    return synced;
}

}  // namespace

std::string_view to_string(FsyncPolicy policy) noexcept {
    switch (policy) {
        case FsyncPolicy::Always: return "always";
        case FsyncPolicy::Batch: return "batch";
        case FsyncPolicy::None: return "none";
    }
    return "batch";
}

std::optional<FsyncPolicy> parse_fsync_policy(std::string_view text) noexcept {
    if (text == "always") return FsyncPolicy::Always;
    if (text == "batch") return FsyncPolicy::Batch;
    if (text == "none") return FsyncPolicy::None;
    return std::nullopt;
}

std::filesystem::path segment_path(const std::filesystem::path& dir, Sequence first_sequence) {
    char name[64];
    std::snprintf(name, sizeof name, "journal-%020llu.log",
                  static_cast<unsigned long long>(first_sequence));
    return dir / name;
}

std::vector<std::pair<Sequence, std::filesystem::path>> list_segments(
    const std::filesystem::path& dir) {
    std::vector<std::pair<Sequence, std::filesystem::path>> segments;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(kSegmentPrefix) || !name.ends_with(kSegmentSuffix)) continue;
        const std::string_view digits(name.data() + kSegmentPrefix.size(),
                                      name.size() - kSegmentPrefix.size() - kSegmentSuffix.size());
        Sequence first = 0;
        const auto [end, err] =
            std::from_chars(digits.data(), digits.data() + digits.size(), first);
        if (err != std::errc{} || end != digits.data() + digits.size()) continue;
        segments.emplace_back(first, entry.path());
    }
    std::sort(segments.begin(), segments.end());
    return segments;
}

void remove_segments_before(const std::filesystem::path& dir, Sequence sequence) {
    const auto segments = list_segments(dir);
    // Segment i holds [first_i, first_{i+1}); it can go when first_{i+1} <= sequence.
    for (std::size_t i = 0; i + 1 < segments.size(); ++i) {
        if (segments[i + 1].first > sequence) break;
        std::error_code ec;
        std::filesystem::remove(segments[i].second, ec);
    }
}

// ---- writer --------------------------------------------------------------------------------

JournalSegment::~JournalSegment() {
    ::close(fd_);
}

bool JournalSegment::sync() const noexcept {
    return ::fdatasync(fd_) == 0;
}

JournalWriter::JournalWriter(std::filesystem::path dir, Sequence next_sequence, FsyncPolicy policy,
                             std::size_t segment_bytes)
    : dir_(std::move(dir)),
      policy_(policy),
      segment_bytes_(segment_bytes),
      next_sequence_(next_sequence) {
    std::filesystem::create_directories(dir_);
    const auto segments = list_segments(dir_);
    if (segments.empty()) {
        if (!open_segment(next_sequence_)) throw JournalError(last_error_);
        return;
    }
    const auto& newest = segments.back().second;
    const int fd = ::open(newest.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) throw JournalError(errno_text(("open " + newest.string()).c_str()));
    segment_ = std::make_shared<JournalSegment>(fd, newest);
    const off_t end = ::lseek(fd, 0, SEEK_END);
    if (end < static_cast<off_t>(kSegmentHeaderBytes)) {
        throw JournalError("segment " + newest.string() + " has no header; run recovery first");
    }
    file_size_ = static_cast<std::uint64_t>(end);
    buffer_.reserve(1 << 20);
}

JournalWriter::~JournalWriter() = default;

bool JournalWriter::open_segment(Sequence first_sequence) {
    const auto path = segment_path(dir_, first_sequence);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        last_error_ = errno_text(("create " + path.string()).c_str());
        return false;
    }
    std::byte header[kSegmentHeaderBytes];
    std::memcpy(header, kSegmentMagic, 8);
    std::memcpy(header + 8, &first_sequence, 8);
    if (::pwrite(fd, header, sizeof header, 0) != static_cast<ssize_t>(sizeof header) ||
        ::fdatasync(fd) != 0 || !sync_directory(dir_)) {  // the new name must survive a crash
        last_error_ = errno_text(("write header of " + path.string()).c_str());
        ::close(fd);
        ::unlink(path.c_str());  // no header-less segment for recovery to trip over
        return false;
    }
    segment_ = std::make_shared<JournalSegment>(fd, path);
    file_size_ = kSegmentHeaderBytes;
    return true;
}

void JournalWriter::append(Sequence sequence, Timestamp timestamp, const CommandBody& command,
                           std::span<const Event> events) {
    if (sequence != next_sequence_) {
        throw JournalError("journal append out of order: expected " +
                           std::to_string(next_sequence_) + ", got " + std::to_string(sequence));
    }
    if (buffer_.empty()) buffer_first_sequence_ = sequence;
    const std::size_t start = buffer_.size();
    ByteWriter out(buffer_);
    out.put(std::uint32_t{0});  // length, patched below
    out.put(std::uint32_t{0});  // crc, patched below
    out.put(sequence);
    out.put(kRecordTypeCommand);
    out.put(kRecordPayloadVersion);
    out.put(timestamp);
    encode(out, command);
    out.put(static_cast<std::uint32_t>(events.size()));
    for (const auto& event : events) encode(out, event);

    const std::size_t body = start + 8;
    const auto length = static_cast<std::uint32_t>(buffer_.size() - body);
    const std::uint32_t crc = crc32c(std::span(buffer_).subspan(body));
    std::memcpy(buffer_.data() + start, &length, 4);
    std::memcpy(buffer_.data() + start + 4, &crc, 4);
    ++next_sequence_;
}

bool JournalWriter::fail(const char* what) {
    last_error_ = errno_text(what);
    // Cut back whatever part of the buffer reached the file, so that a retry starts clean.
    if (::ftruncate(segment_->fd(), static_cast<off_t>(file_size_)) != 0) {
        last_error_ += "; " + errno_text("truncate");
    }
    return false;
}

bool JournalWriter::write() {
    if (buffer_.empty()) return true;
    // A rollover that fails is a write error like any other: the caller retries.
    if (file_size_ >= segment_bytes_ && !open_segment(buffer_first_sequence_)) return false;
    std::size_t written = 0;
    while (written < buffer_.size()) {
        const ssize_t n =
            ::pwrite(segment_->fd(), buffer_.data() + written, buffer_.size() - written,
                     static_cast<off_t>(file_size_ + written));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return fail("journal write");
        written += static_cast<std::size_t>(n);
    }
    file_size_ += buffer_.size();
    buffer_.clear();
    return true;
}

bool JournalWriter::commit() {
    if (!write()) return false;
    if (policy_ != FsyncPolicy::None && !segment_->sync()) {
        last_error_ = errno_text("journal fdatasync");
        return false;
    }
    return true;
}

// ---- reading -------------------------------------------------------------------------------

bool decode_record_payload(std::span<const std::byte> payload, JournalRecord& record) {
    ByteReader in(payload);
    record.timestamp = in.get<Timestamp>();
    if (!decode(in, record.command, record.version)) return false;
    const auto count = in.get<std::uint32_t>();
    if (in.failed() || count > payload.size()) return false;
    record.events.resize(count);
    for (auto& event : record.events) {
        if (!decode(in, event)) return false;
    }
    return in.at_end();
}

JournalReader::JournalReader(std::filesystem::path dir, Sequence from)
    : dir_(std::move(dir)), next_(from == 0 ? 1 : from) {}

JournalReader::~JournalReader() {
    if (fd_ >= 0) ::close(fd_);
}

bool JournalReader::open_segment_for(Sequence sequence) {
    const auto segments = list_segments(dir_);
    const std::filesystem::path* path = nullptr;
    for (const auto& [first, p] : segments) {
        if (first > sequence) break;
        segment_first_ = first;
        path = &p;
    }
    if (path == nullptr) return false;
    const int fd = ::open(path->c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
    offset_ = kSegmentHeaderBytes;
    chunk_bytes_ = 0;
    refresh_file_size();
    return true;
}

void JournalReader::refresh_file_size() {
    struct stat st {};
    file_size_ = ::fstat(fd_, &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

const std::byte* JournalReader::bytes_at(std::uint64_t offset, std::size_t n, Sequence limit) {
    if (offset >= chunk_offset_ && offset + n <= chunk_offset_ + chunk_bytes_) {
        return chunk_.data() + (offset - chunk_offset_);
    }
    constexpr std::size_t kChunkBytes = 64 * 1024;
    chunk_.resize(std::max(kChunkBytes, n));
    chunk_offset_ = offset;
    chunk_bytes_ = 0;
    chunk_limit_ = limit;
    while (chunk_bytes_ < chunk_.size()) {
        const ssize_t got = ::pread(fd_, chunk_.data() + chunk_bytes_, chunk_.size() - chunk_bytes_,
                                    static_cast<off_t>(offset + chunk_bytes_));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) break;
        chunk_bytes_ += static_cast<std::size_t>(got);
    }
    return n <= chunk_bytes_ ? chunk_.data() : nullptr;
}

std::optional<JournalRecord> JournalReader::next(Sequence limit) {
    JournalRecord record;
    if (!next(limit, record)) return std::nullopt;
    return record;
}

bool JournalReader::next(Sequence limit, JournalRecord& record) {
    if (next_ > limit) return false;
    if (fd_ < 0 && !open_segment_for(next_)) {
        throw JournalError("no journal segment holds sequence " + std::to_string(next_));
    }
    if (next_ > chunk_limit_) chunk_bytes_ = 0;  // read before this record was committed
    for (;;) {
        const std::byte* header = bytes_at(offset_, kRecordHeaderBytes, limit);
        if (header == nullptr) {
            // The end of this segment: the writer has moved on to one that starts here.
            const Sequence current = segment_first_;
            if (open_segment_for(next_) && segment_first_ != current) continue;
            throw JournalError("journal record " + std::to_string(next_) +
                               " is committed but not found");
        }
        std::uint32_t length;
        std::uint32_t crc;
        Sequence sequence;
        std::memcpy(&length, header, 4);
        std::memcpy(&crc, header + 4, 4);
        std::memcpy(&sequence, header + 8, 8);
        // A committed record is whole on disk: a length past the file's end, or a checksum
        // that does not match, is corruption, reported with where it is.
        const auto where = [&] {
            return " in " + segment_path(dir_, segment_first_).string() + " at offset " +
                   std::to_string(offset_);
        };
        if (offset_ + 8 + length > file_size_) refresh_file_size();  // the writer went on
        if (length < kRecordHeaderBytes - 8 || offset_ + 8 + length > file_size_) {
            throw JournalError("journal record length " + std::to_string(length) + " is corrupt" +
                               where());
        }
        const std::byte* body = bytes_at(offset_ + 8, length, limit);
        if (body == nullptr) throw JournalError("journal record is cut short" + where());
        const std::span<const std::byte> bytes(body, length);
        if (crc32c(bytes) != crc) {
            throw JournalError("journal record (sequence " + std::to_string(sequence) +
                               ") fails its checksum" + where());
        }
        offset_ += 8 + length;
        if (sequence < next_) continue;  // positioning: skip what the caller has seen
        if (sequence != next_) {
            throw JournalError("journal gap: expected sequence " + std::to_string(next_) +
                               ", found " + std::to_string(sequence));
        }
        record.sequence = sequence;
        std::memcpy(&record.version, body + 10, 2);
        if (!decode_record_payload(bytes.subspan(kRecordHeaderBytes - 8), record)) {
            throw JournalError("journal record " + std::to_string(sequence) + " does not decode" +
                               where());
        }
        ++next_;
        return true;
    }
}

}  // namespace xtrader
