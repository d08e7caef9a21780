// Who listens to what on the WebSocket side. A channel is a string ("executions:BTC-KRW",
// "orderbook:BTC-KRW", "ticker:BTC-KRW", "candles:BTC-KRW:1m", "orders:<account>"); a message is
// encoded once and appended to its channel's log, which every subscriber reads from its own
// place when it is ready to write: a publish costs the same however many subscribers are busy
// writing, and a subscriber takes everything new in one step. Only idle subscribers are woken.
//
// The log keeps what some subscriber has not taken yet, up to the backlog bounds; a subscriber
// further behind than that is told it is too slow (and closed by its session).
//
// Thread-safe: subscribe, take and wait from io threads (a subscription is used by one thread
// at a time), publish from the market-data, completion or gateway threads. Subscribers are held
// weakly and woken outside the hub's locks.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace xtrader::api {

using Message = std::shared_ptr<const std::string>;
inline Message make_message(std::string text) {
    return std::make_shared<const std::string>(std::move(text));
}

class WsSubscriber {
  public:
    virtual ~WsSubscriber() = default;
    // A channel it waits on has a message: take it. Any thread; must not block.
    virtual void wake() = 0;
    // It is further behind on a channel than the backlog allows. Any thread; must not block.
    virtual void too_slow() = 0;
};

// How far a subscriber may fall behind on one channel before it is too slow.
struct WsBacklog {
    std::size_t messages = 4096;
    std::size_t bytes = 1 << 20;
};

class WsHub {
  public:
    class Subscription;

    explicit WsHub(WsBacklog backlog = {}) : backlog_(backlog) {}
    // Lets go of the subscriptions still in its channels (a channel and its subscriptions refer
    // to each other until unsubscribed).
    ~WsHub();
    WsHub(const WsHub&) = delete;
    WsHub& operator=(const WsHub&) = delete;

    // The subscriber's place in the channel, from the next message published. A subscriber
    // subscribes to a channel once (it keeps track of its own channels).
    std::shared_ptr<Subscription> subscribe(const std::string& channel,
                                            std::weak_ptr<WsSubscriber> subscriber);
    void unsubscribe(const std::shared_ptr<Subscription>& subscription);
    bool has_subscribers(const std::string& channel) const;
    // Appends the message to the channel's log and wakes its waiting subscribers; returns how
    // many subscribe to it. O(waiting), and O(subscribers) once per 64 messages to drop what
    // all have taken.
    std::size_t publish(const std::string& channel, Message message);

    // Appends to `out` what was published on the subscription's channel since it last took;
    // false, taking nothing, when some of it was dropped first (the subscriber is too slow).
    static bool take(const std::shared_ptr<Subscription>& subscription, std::vector<Message>& out);
    // True when there is something to take; otherwise the subscriber is woken at the next
    // message.
    static bool ready_or_wait(const std::shared_ptr<Subscription>& subscription);

  private:
    struct Channel;

    WsBacklog backlog_;
    mutable std::mutex mutex_;  // channels_; taken before a channel's own, never after
    std::unordered_map<std::string, std::shared_ptr<Channel>> channels_;
};

}  // namespace xtrader::api
