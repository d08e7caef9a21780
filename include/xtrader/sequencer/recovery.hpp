// Startup recovery: the newest valid snapshot, then every journal record after it replayed
// through MatchingEngine::apply, exactly as live traffic. It must finish before the sequencer,
// any publisher or any server starts: they all assume the engine holds everything journaled.
//
// Where it stops (docs/JOURNAL.md): a record that is cut short or fails its CRC at the very end
// of the newest segment is a torn write from a crash, never acknowledged; the segment is cut
// there. A bad record with valid data after it, or in an older segment, a gap in the sequence,
// or a replay whose events differ from the recorded ones throws JournalError naming the file,
// offset and sequence: the daemon refuses to start rather than skip data.
#pragma once

#include <cstdint>
#include <filesystem>

#include "xtrader/engine/matching_engine.hpp"

namespace xtrader {

struct RecoveryReport {
    Sequence snapshot_sequence = 0;     // 0: started from an empty state
    Sequence last_sequence = 0;         // the last command in the engine; the next gets + 1
    std::uint64_t replayed = 0;         // records applied after the snapshot
    std::uint64_t truncated_bytes = 0;  // torn tail cut from the newest segment
    std::uint64_t state_hash = 0;
};

// Data directory layout: <data_dir>/journal/ and <data_dir>/snapshots/.
std::filesystem::path journal_dir(const std::filesystem::path& data_dir);
std::filesystem::path snapshot_dir(const std::filesystem::path& data_dir);

RecoveryReport recover(MatchingEngine& engine, const std::filesystem::path& data_dir);

}  // namespace xtrader
