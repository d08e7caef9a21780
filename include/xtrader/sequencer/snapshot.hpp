// Snapshot files: the engine's canonical state as of a sequence number.
//   header  = magic "XTRSNAP1" | u64 last_sequence | u64 state length | u32 crc32c(state) | u32 0
//   then the state bytes (MatchingEngine::save).
// A snapshot is written to a temporary name, synced, renamed and its directory synced, so a
// crash leaves either the old set of snapshots or the new one, never a half file under a real
// name. The two newest are kept.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "xtrader/core/types.hpp"

namespace xtrader {

void write_snapshot(const std::filesystem::path& dir, Sequence last_sequence,
                    std::span<const std::byte> state);

// Snapshots, newest first.
std::vector<std::pair<Sequence, std::filesystem::path>> list_snapshots(
    const std::filesystem::path& dir);

// The state bytes of a snapshot file, or nullopt when it is damaged.
std::optional<std::vector<std::byte>> read_snapshot(const std::filesystem::path& path,
                                                    Sequence expected_sequence);

}  // namespace xtrader
