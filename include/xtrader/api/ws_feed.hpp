// The WebSocket channels' messages, encoded once per event for every subscriber: what the
// market-data publisher reports (executions, book deltas, statistics, candles) and every change
// of an order (the account's "orders" channel), surveillance alerts ("alerts"). Only channels
// with subscribers are encoded. Called on the market-data writer thread, the sequencer's
// completion thread and the surveillance threads.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "xtrader/api/ws_hub.hpp"
#include "xtrader/consumers/market_data.hpp"
#include "xtrader/consumers/notification_consumer.hpp"
#include "xtrader/store/records.hpp"
#include "xtrader/surveillance/detector.hpp"

namespace xtrader::api {

// Encodes what the market-data publisher and the order view (or a gateway's feed) report and
// publishes it to the hub, only for channels that have subscribers.
class WsFeed final : public GatewayListener {
  public:
    // statistics: the ticker and candle channels from the market data's own statistics (false
    // in a gateway: they come from the MDP, relayed).
    WsFeed(const MarketCatalog& catalog, const MarketData& market_data, WsHub& hub,
           bool statistics = true);

    void on_market_update(MarketId market, Sequence sequence, Timestamp time,
                          std::span<const PublicTrade> trades, std::span<const BookDelta> book,
                          std::uint64_t book_version) override;
    void on_order(const OrderRecord& order) override;
    // A fresh OrderBookSnapshot to the market's book subscribers.
    void on_book_resync(MarketId market) override;
    void on_relay(const std::string& channel, std::string message) override;
    // A surveillance alert, once stored, to the `alerts` channel (admin connections only). Any
    // thread.
    void on_alert(const surveillance::Alert& alert);

  private:
    // Each market's channel names, made once rather than for every event.
    struct Channels {
        std::string executions, orderbook, ticker;
        std::array<std::string, kIntervals.size()> candles;
    };

    const MarketCatalog& catalog_;
    const MarketData& market_data_;
    WsHub& hub_;
    bool statistics_;
    std::vector<Channels> channels_;  // by market
};

// The hub channel of an account's own order updates.
std::string orders_channel(AccountId account);
// Surveillance alerts, for connections authenticated with the admin token.
inline constexpr std::string_view kAlertsChannel = "alerts";

// The OrderBookSnapshot message of a book subscription (its first message, and after a resync).
std::string book_snapshot_message(const MarketSpec& market, std::string_view channel,
                                  const BookView& book);

// The MarketStatistics message of a ticker channel, and the CandlestickUpdate of a candles one.
std::string ticker_message(const MarketSpec& market, std::string_view channel,
                           const MarketStatistics& statistics, Sequence sequence, Timestamp time);
std::string candle_message(const MarketSpec& market, std::string_view channel,
                           std::string_view interval, const Candle& candle, Sequence sequence);

// The depth of the book a snapshot carries.
inline constexpr std::size_t kSnapshotDepth = 1000;

}  // namespace xtrader::api
