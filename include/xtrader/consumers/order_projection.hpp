// Turns committed commands and their events into order records and executions: the one place
// that knows how an event changes what a client sees of an order. The API's order view and the
// trade store's writer both apply it, so they can never disagree.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <unordered_map>

#include "xtrader/engine/command.hpp"
#include "xtrader/engine/event.hpp"
#include "xtrader/store/records.hpp"

namespace xtrader {

// The order a PlaceOrder created, as its own events left it (the POST /v1/order answer);
// nullopt when it created none (a refusal of the input, a duplicate client_order_id).
std::optional<OrderRecord> placed_order(Sequence sequence, Timestamp timestamp,
                                        const PlaceOrder& place, std::span<const Event> events);

// The two execution rows of a trade: taker and maker.
std::pair<ExecutionRecord, ExecutionRecord> execution_rows(const Trade& trade, Timestamp time,
                                                           Sequence sequence);

// Applies a command's events to the orders it is given. `find` returns the current record of
// an existing order (or nullptr); every changed or new record is passed to `changed`, in event
// order, after each change.
void project(Sequence sequence, Timestamp timestamp, const CommandBody& command,
             std::span<const Event> events, const std::function<const OrderRecord*(OrderId)>& find,
             const std::function<void(const OrderRecord&)>& changed);

}  // namespace xtrader
