// The surveillance detectors' events from the pipeline's messages: an execution of the
// market-data topic with both sides by account (taker and maker turned into buyer and seller),
// the touch after each book delta (an L2 book per market, kept here), and what one change of an
// order was, from the order's previous change (the order-events topic carries states, not
// transitions).
//
// Replays are dropped where they can be told: an execution at or below its market's last exec
// id, an order change at or below its account's last (sequence, change) (the order-events topic
// keeps an account's changes in order), a book delta at or below the book's sequence. Orders are
// forgotten once final, so the state kept is the open orders' and the books'.
//
// Threads: one (the consuming group member's).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <unordered_map>
#include <vector>

#include "xtrader/bus/market_data_codec.hpp"
#include "xtrader/store/records.hpp"
#include "xtrader/surveillance/detector.hpp"

namespace xtrader {

class SurveillanceEvents {
  public:
    explicit SurveillanceEvents(const MarketCatalog& catalog);

    // The execution; nullopt for a replay (exec ids grow within a market).
    std::optional<surveillance::ExecutionEvent> execution(const ExecutionMessage& message);
    // The book's touch and average resting orders after the delta; nullopt for a replay.
    std::optional<surveillance::TouchEvent> touch(const BookDeltaMessage& message);
    // What the change was; nullopt for a replay.
    std::optional<surveillance::OrderEvent> order(const OrderChange& message);

  private:
    struct Level {
        Quantity volume;
        std::uint32_t orders;
    };
    struct BookSide {  // the levels and their sums, for the average resting order
        Quantity volume = 0;
        std::uint64_t orders = 0;
        Quantity average() const {
            return orders == 0 ? 0 : volume / static_cast<Quantity>(orders);
        }
    };
    struct Book {
        std::map<Price, Level, std::greater<>> bids;
        std::map<Price, Level> asks;
        BookSide bid_side, ask_side;
        Sequence sequence = 0;
    };
    template <class Levels>
    static void apply(Levels& levels, BookSide& side, const BookLevelChanged& change);

    const MarketCatalog& catalog_;
    std::vector<Book> books_;                            // by market
    std::vector<ExecId> last_exec_;                      // by market
    std::unordered_map<OrderId, Quantity> open_orders_;  // what each open order has filled
    std::unordered_map<AccountId, std::pair<Sequence, std::uint32_t>> last_change_;
};

}  // namespace xtrader
