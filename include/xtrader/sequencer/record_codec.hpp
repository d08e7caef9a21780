// The binary form of commands and events inside journal records. Fields are written one by one
// in little-endian order (never whole structs, whose padding is unspecified), each variant
// alternative behind a one-byte tag. The payload version in the record header names this layout;
// a change to it adds a version, and decoders keep reading the old ones.
#pragma once

#include <span>
#include <vector>

#include "xtrader/core/binary.hpp"
#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"

namespace xtrader {

// 2: BookVersion events follow a command's book changes (a version 1 record has none).
// 3: AmendOrder (version 2's MoveOrder) carries new_quantity, PlaceOrder stop_price.
inline constexpr std::uint16_t kRecordPayloadVersion = 3;

void encode(ByteWriter& out, const CommandBody& command);
void encode(ByteWriter& out, const Event& event);
// `version`: the payload version the command was written in.
bool decode(ByteReader& in, CommandBody& command, std::uint16_t version = kRecordPayloadVersion);
bool decode(ByteReader& in, Event& event);

}  // namespace xtrader
