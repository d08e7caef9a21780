// A journal record's payload as read back from disk: decoded whole or refused; a decoded record
// encodes back to the same bytes.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>

#include "xtrader/sequencer/journal.hpp"
#include "xtrader/sequencer/record_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
    xtrader::JournalRecord record;
    if (!xtrader::decode_record_payload(bytes, record)) return 0;
    std::vector<std::byte> again;
    xtrader::ByteWriter out(again);
    out.put(record.timestamp);
    xtrader::encode(out, record.command);
    out.put(static_cast<std::uint32_t>(record.events.size()));
    for (const auto& event : record.events) xtrader::encode(out, event);
    if (again.size() != size || std::memcmp(again.data(), data, size) != 0) std::abort();
    return 0;
}
