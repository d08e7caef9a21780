// Writes the journal's trades and order changes into a TradeStore: a RecordConsumer for a
// JournalFollower. Each batch of records becomes one store transaction carrying its journal
// position. It keeps the open orders in memory (loaded from the store at start) so that every
// change is written as the order's whole new state. Owned by its follower's thread.
//
// With an outbox (full mode's order-events topic), every change of every order also goes into
// the store's outbox in the same transaction; `published` says up to which sequence the
// publisher has taken them, and those are deleted with the next batch.
#pragma once

#include <functional>
#include <unordered_map>

#include "xtrader/bus/journal_follower.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader {

class TradeRecorder final : public RecordConsumer {
  public:
    explicit TradeRecorder(TradeStore& store, std::function<Sequence()> published = {});

    Sequence position() override { return position_; }
    void consume(std::span<const JournalRecord> records) override;

  private:
    TradeStore& store_;
    std::function<Sequence()> published_;  // empty: no outbox
    Sequence position_;
    std::unordered_map<OrderId, OrderRecord> open_;
};

}  // namespace xtrader
