// Markets and checks shared by the engine and sequencer tests.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <vector>

#include "event_printers.hpp"
#include "xtrader/engine/matching_engine.hpp"

namespace xtrader::testing {

inline constexpr AssetId kUsd = 0;
inline constexpr AssetId kTst = 1;
inline constexpr AssetId kKrw = 2;
inline constexpr AssetId kBtc = 3;
inline constexpr MarketId kTstUsd = 0;  // unit prices and quantities: notional = price * quantity
inline constexpr MarketId kBtcKrw = 1;  // realistic scales: tick 1000 KRW, lot 0.0001 BTC

// Fees: TST-USD maker 0.05%, taker 0.1%; BTC-KRW maker 0.02%, taker 0.05%.
inline MarketCatalog test_catalog() {
    MarketCatalog catalog;
    catalog.assets = {{"USD", 0}, {"TST", 0}, {"KRW", 4}, {"BTC", 8}};
    MarketSpec tst;
    tst.symbol = "TST-USD";
    tst.base = kTst;
    tst.quote = kUsd;
    tst.tick_size = 1;
    tst.lot_size = 1;
    tst.min_quantity = 1;
    tst.max_quantity = 1'000'000;
    tst.max_price = 1'000'000;
    tst.maker_fee_ppm = 500;
    tst.taker_fee_ppm = 1000;
    MarketSpec btc;
    btc.symbol = "BTC-KRW";
    btc.base = kBtc;
    btc.quote = kKrw;
    btc.price_scale = 0;
    btc.qty_scale = 4;
    btc.tick_size = 1000;
    btc.lot_size = 1;
    btc.min_quantity = 1;
    btc.max_quantity = 100'000'000;
    btc.max_price = 10'000'000'000;
    btc.maker_fee_ppm = 200;
    btc.taker_fee_ppm = 500;
    catalog.markets = {tst, btc};
    EXPECT_EQ(catalog.validate(), "");
    return catalog;
}

inline std::vector<Event> one_event(Event event) {
    return {event};
}

class EventLog final : public EventHandler {
  public:
    void on_event(const Event& event) override { events.push_back(event); }
    // What was reported since the last take(), BookVersion events apart: the scenarios are about
    // what changed, the versions have a test of their own.
    std::vector<Event> take() {
        std::vector<Event> out;
        for (auto& e : std::exchange(events, {})) {
            if (!std::holds_alternative<BookVersion>(e)) out.push_back(std::move(e));
        }
        return out;
    }
    std::vector<Event> events;
};

// The invariants every scenario ends with:
// - each asset's total over all accounts equals the ledger's total (moved, never created);
// - the book is never crossed, and every level's volume and count match its orders;
// - each resting order has 0 < remaining, filled + remaining = quantity;
// - what the ledger holds per account and asset is exactly what its resting orders hold.
inline void expect_invariants(const MatchingEngine& engine) {
    const auto& ledger = engine.ledger();
    const auto& catalog = engine.catalog();
    for (AssetId asset = 0; asset < catalog.assets.size(); ++asset) {
        Amount sum = 0;
        for (AccountId account = 0; account < ledger.account_count(); ++account) {
            const auto b = ledger.balance(account, asset);
            EXPECT_GE(b.available, 0) << "account " << account << " asset " << asset;
            EXPECT_GE(b.held, 0) << "account " << account << " asset " << asset;
            sum += b.available + b.held;
        }
        EXPECT_EQ(sum, ledger.total(asset)) << "asset " << catalog.assets[asset].name;
    }
    std::map<std::pair<AccountId, AssetId>, Amount> held;
    std::size_t resting = 0;
    for (MarketId market = 0; market < catalog.markets.size(); ++market) {
        const auto& m = catalog.markets[market];
        const auto& book = engine.book(market);
        const auto* bid = book.best(Side::Buy);
        const auto* ask = book.best(Side::Sell);
        if (bid != nullptr && ask != nullptr) {
            EXPECT_LT(bid->price, ask->price) << "crossed book in " << m.symbol;
        }
        for (Side side : {Side::Buy, Side::Sell}) {
            Price previous = 0;
            book.for_each_level(side, [&](const PriceLevel& level) {
                if (previous != 0) {
                    EXPECT_TRUE(side == Side::Buy ? level.price < previous
                                                  : level.price > previous);
                }
                previous = level.price;
                Quantity volume = 0;
                std::uint32_t count = 0;
                for (const Order* o = level.head; o != nullptr; o = o->next) {
                    EXPECT_GT(o->remaining(), 0);
                    EXPECT_EQ(o->filled + o->remaining(), o->quantity);
                    EXPECT_EQ(o->price, level.price);
                    EXPECT_EQ(engine.find_order(o->id), o);
                    volume += o->remaining();
                    ++count;
                    held[{o->account, side == Side::Buy ? m.quote : m.base}] += o->held;
                }
                EXPECT_EQ(volume, level.volume);
                EXPECT_EQ(count, level.order_count);
                EXPECT_GT(count, 0u);
                resting += count;
                return true;
            });
        }
        engine.stop_book(market).for_each([&](const Order* o) {
            EXPECT_TRUE(o->waiting);
            EXPECT_EQ(o->filled, 0);
            EXPECT_EQ(engine.find_order(o->id), o);
            held[{o->account, o->side == Side::Buy ? m.quote : m.base}] += o->held;
            ++resting;
        });
    }
    EXPECT_EQ(resting, engine.open_order_count());
    for (AccountId account = 0; account < ledger.account_count(); ++account) {
        for (AssetId asset = 0; asset < catalog.assets.size(); ++asset) {
            const auto it = held.find({account, asset});
            EXPECT_EQ(ledger.balance(account, asset).held, it == held.end() ? 0 : it->second)
                << "held of account " << account << " asset " << asset;
        }
    }
}

}  // namespace xtrader::testing
