// The messages of the Kafka topic `market-data`, keyed by symbol so that one market's messages
// stay in order in one partition. Each carries the journal `sequence` of the command that made
// it; a consumer that has applied a sequence drops it when a replay brings it again.
//
//   {"type":"Execution", <every field of the executions stream's message, execution_codec.hpp>}
//   {"type":"BookDelta","sequence":42,"symbol":"BTC-KRW","version":17,
//    "transaction_time":1732480000000,
//    "changes":[{"side":"Buy","price":"50000000","volume":"0.0400","order_count":2}, ...]}
//
// A BookDelta holds one command's changed L2 levels of one market (volume "0": the level is
// gone); prices and quantities are decimal strings with the market's exact decimals. `version`
// is the book's version after the change (the engine's BookVersion: consecutive per market, so
// a reader sees a missed change); 0 in a message of a journal written before versions.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "xtrader/bus/execution_codec.hpp"
#include "xtrader/sequencer/journal.hpp"

namespace xtrader {

struct BookDeltaMessage {
    Sequence sequence = 0;
    Timestamp time_ms = 0;
    MarketId market = 0;
    std::uint64_t version = 0;
    std::vector<BookLevelChanged> changes;
    bool operator==(const BookDeltaMessage&) const = default;
};

using MarketDataMessage = std::variant<ExecutionMessage, BookDeltaMessage>;

void encode_market_data(const MarketCatalog& catalog, const MarketDataMessage& message,
                        std::string& out);

// The market-data messages of one journal record, in the order the publishers send them: each
// execution, then each market's book changes with the book's version. `emit` is called with
// each message and its market; `scratch` is reused between records.
template <class Emit>
void market_data_messages(const JournalRecord& record, BookDeltaMessage& scratch, Emit&& emit) {
    scratch.sequence = record.sequence;
    scratch.time_ms = to_millis(record.timestamp);
    scratch.version = 0;
    scratch.changes.clear();
    for (const auto& event : record.events) {
        if (const auto* trade = std::get_if<Trade>(&event)) {
            emit(MarketDataMessage(ExecutionMessage{record.sequence, scratch.time_ms, *trade}),
                 trade->market);
        } else if (const auto* level = std::get_if<BookLevelChanged>(&event)) {
            // A command touches one market; should one ever touch two, each gets its own.
            if (!scratch.changes.empty() && scratch.market != level->market) {
                emit(MarketDataMessage(scratch), scratch.market);
                scratch.changes.clear();
            }
            scratch.market = level->market;
            scratch.changes.push_back(*level);
        } else if (const auto* version = std::get_if<BookVersion>(&event)) {
            scratch.version = version->version;  // after the levels it counts
        }
    }
    if (!scratch.changes.empty()) emit(MarketDataMessage(scratch), scratch.market);
}
// nullopt, with `error` saying why, when the text is not a message of these markets.
std::optional<MarketDataMessage> decode_market_data(const MarketCatalog& catalog,
                                                    std::string_view text, std::string& error);

}  // namespace xtrader
