// CRC32C (Castagnoli), the checksum of journal records and snapshots. Uses the SSE4.2 crc32
// instruction when the CPU has it and a table otherwise; both give the same value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace xtrader {

std::uint32_t crc32c(std::span<const std::byte> bytes, std::uint32_t crc = 0) noexcept;

}  // namespace xtrader
