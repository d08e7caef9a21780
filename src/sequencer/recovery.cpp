#include "xtrader/sequencer/recovery.hpp"

#include <spdlog/spdlog.h>

#include <cstring>
#include <fstream>

#include "xtrader/sequencer/crc32c.hpp"
#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/snapshot.hpp"

namespace xtrader {

namespace {

class EventCollector final : public EventHandler {
  public:
    void on_event(const Event& event) override { events.push_back(event); }
    std::vector<Event> events;
};

std::vector<std::byte> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw JournalError("cannot open " + path.string());
    std::vector<std::byte> bytes(static_cast<std::size_t>(in.tellg()));
    in.seekg(0);
    in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!in) throw JournalError("cannot read " + path.string());
    return bytes;
}

// The length of the record at offset when it is whole and its CRC matches, else 0.
std::size_t valid_record_at(std::span<const std::byte> bytes, std::size_t offset) {
    if (offset > bytes.size() || bytes.size() - offset < kRecordHeaderBytes) return 0;
    std::uint32_t length;
    std::uint32_t crc;
    std::memcpy(&length, bytes.data() + offset, 4);
    std::memcpy(&crc, bytes.data() + offset + 4, 4);
    if (length < kRecordHeaderBytes - 8 || bytes.size() - offset - 8 < length) return 0;
    if (crc32c(bytes.subspan(offset + 8, length)) != crc) return 0;
    return 8 + std::size_t{length};
}

// Whether a whole record continuing the sequence starts anywhere after `offset`. A process
// crash leaves a clean prefix, so after a torn tail nothing valid can follow; a bit flip inside
// the journal leaves valid records behind it.
bool valid_record_follows(std::span<const std::byte> bytes, std::size_t offset, Sequence previous) {
    for (std::size_t at = offset + 1; at + kRecordHeaderBytes <= bytes.size(); ++at) {
        if (valid_record_at(bytes, at) == 0) continue;
        Sequence sequence;
        std::memcpy(&sequence, bytes.data() + at + 8, 8);
        if (sequence > previous) return true;
    }
    return false;
}

std::string where(const std::filesystem::path& path, std::size_t offset) {
    return path.string() + " at byte " + std::to_string(offset);
}

}  // namespace

std::filesystem::path journal_dir(const std::filesystem::path& data_dir) {
    return data_dir / "journal";
}
std::filesystem::path snapshot_dir(const std::filesystem::path& data_dir) {
    return data_dir / "snapshots";
}

RecoveryReport recover(MatchingEngine& engine, const std::filesystem::path& data_dir) {
    RecoveryReport report;
    for (const auto& [sequence, path] : list_snapshots(snapshot_dir(data_dir))) {
        if (auto state = read_snapshot(path, sequence)) {
            ByteReader in(*state);
            if (engine.load(in) && in.at_end()) {
                report.snapshot_sequence = sequence;
                break;
            }
        }
        spdlog::warn("snapshot {} is damaged; trying an older one", path.string());
    }

    Sequence expected = report.snapshot_sequence + 1;  // the next record to replay
    Sequence previous = 0;                             // the last record seen, replayed or not
    EventCollector replayed;
    const auto segments = list_segments(journal_dir(data_dir));
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& [first, path] = segments[i];
        const bool newest = i + 1 == segments.size();
        auto bytes = read_file(path);
        if (bytes.size() < kSegmentHeaderBytes) {
            if (!newest) throw JournalError("journal segment " + path.string() + " has no header");
            // Created just before a crash, before its header reached the disk.
            report.truncated_bytes += bytes.size();
            std::filesystem::remove(path);
            break;
        }
        Sequence header_first;
        std::memcpy(&header_first, bytes.data() + 8, 8);
        if (std::memcmp(bytes.data(), kSegmentMagic, sizeof kSegmentMagic) != 0 ||
            header_first != first) {
            throw JournalError("journal segment " + path.string() + " has a bad header");
        }

        std::size_t offset = kSegmentHeaderBytes;
        while (offset < bytes.size()) {
            const std::size_t size = valid_record_at(bytes, offset);
            if (size == 0) {
                if (!newest || valid_record_follows(bytes, offset, previous)) {
                    throw JournalError("corrupt journal record in " + where(path, offset) +
                                       " after sequence " + std::to_string(previous) +
                                       "; valid records follow it, so this is not a torn tail. "
                                       "Refusing to start.");
                }
                // A torn tail: written, never synced, so never acknowledged. Cut it off.
                report.truncated_bytes += bytes.size() - offset;
                std::filesystem::resize_file(path, offset);
                spdlog::warn("journal: cut a torn tail of {} bytes from {}", bytes.size() - offset,
                             where(path, offset));
                break;
            }
            Sequence sequence;
            std::memcpy(&sequence, bytes.data() + offset + 8, 8);
            if (previous != 0 ? sequence != previous + 1 : sequence > expected) {
                throw JournalError("journal gap in " + where(path, offset) +
                                   ": expected sequence " +
                                   std::to_string(previous != 0 ? previous + 1 : expected) +
                                   ", found " + std::to_string(sequence));
            }
            previous = sequence;
            if (sequence == expected) {
                JournalRecord record;
                std::memcpy(&record.version, bytes.data() + offset + 18, 2);
                if (!decode_record_payload(std::span(bytes).subspan(offset + kRecordHeaderBytes,
                                                                    size - kRecordHeaderBytes),
                                           record)) {
                    throw JournalError("journal record " + std::to_string(sequence) + " in " +
                                       where(path, offset) + " does not decode");
                }
                replayed.events.clear();
                engine.apply(Command{sequence, record.timestamp, record.command}, replayed);
                if (record.version < 2) {  // written before books had versions
                    std::erase_if(replayed.events, [](const Event& e) {
                        return std::holds_alternative<BookVersion>(e);
                    });
                }
                if (replayed.events != record.events) {
                    throw JournalError("replay of sequence " + std::to_string(sequence) +
                                       " produced other events than the journal recorded (" +
                                       where(path, offset) + ")");
                }
                ++expected;
                ++report.replayed;
            }
            offset += size;
        }
    }
    if (previous != 0 && previous < report.snapshot_sequence) {
        throw JournalError("the journal ends at sequence " + std::to_string(previous) +
                           " before the snapshot's " + std::to_string(report.snapshot_sequence));
    }
    report.last_sequence = expected - 1;
    report.state_hash = engine.state_hash();
    return report;
}

}  // namespace xtrader
