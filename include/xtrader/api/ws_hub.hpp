// Who listens to what on the WebSocket side. A channel is a string ("executions:BTC-KRW",
// "orderbook:BTC-KRW", "ticker:BTC-KRW", "candles:BTC-KRW:1m", "orders:<account>"); a message is
// encoded once and the same shared string goes to every subscriber, each of which queues it on
// its own strand. The hub holds sessions weakly; a session unsubscribes in its destructor, and
// one that is gone is dropped at the next publish.
// Thread-safe: subscribe from io threads, publish from the market-data or completion thread.
// No subscriber is ever destroyed under the hub's lock (its destructor comes back here).
#pragma once

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
    // Any thread; must not block (queue it, or drop the subscriber if it cannot keep up).
    virtual void deliver(const Message& message) = 0;
};

class WsHub {
  public:
    // O(1). A subscriber subscribes to a channel once (it keeps track of its own channels).
    void subscribe(const std::string& channel, const std::shared_ptr<WsSubscriber>& s);
    void unsubscribe(const std::string& channel, const WsSubscriber* s);
    bool has_subscribers(const std::string& channel) const;
    // Delivers to every live subscriber of the channel; returns how many.
    std::size_t publish(const std::string& channel, const Message& message);

  private:
    struct Entry {
        const WsSubscriber* subscriber;  // identity only, never dereferenced
        std::weak_ptr<WsSubscriber> weak;
    };
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::vector<Entry>> channels_;
};

}  // namespace xtrader::api
