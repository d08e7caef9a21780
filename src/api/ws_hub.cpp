#include "xtrader/api/ws_hub.hpp"

#include <algorithm>

namespace xtrader::api {

namespace {
// The log is cut back to what its subscribers still need once it has grown by this many
// messages: the pass over the subscribers is paid once per that many publishes.
constexpr std::size_t kTrimEvery = 64;
}  // namespace

struct WsHub::Channel {
    Channel(std::string name_, WsBacklog backlog_) : name(std::move(name_)), backlog(backlog_) {}
    std::uint64_t end() const noexcept { return first + log.size(); }
    // Drops from the front of the log what every subscriber has taken, then whatever is beyond
    // the backlog, collecting the subscribers that lose messages that way. Under the mutex.
    void trim(std::vector<std::weak_ptr<WsSubscriber>>& slow);

    const std::string name;
    const WsBacklog backlog;
    std::mutex mutex;  // everything below, and the subscriptions' places
    std::deque<Message> log;
    std::uint64_t first = 0;  // the number of log.front(); messages are numbered as published
    std::size_t bytes = 0;    // of the texts in the log
    std::size_t trim_at = kTrimEvery;
    std::vector<std::shared_ptr<Subscription>> subscriptions;
    std::vector<std::shared_ptr<Subscription>> waiting;  // to wake at the next message
};

class WsHub::Subscription {
  public:
    Subscription(std::shared_ptr<Channel> channel_, std::weak_ptr<WsSubscriber> subscriber_,
                 std::uint64_t next_)
        : channel(std::move(channel_)), subscriber(std::move(subscriber_)), next(next_) {}

    const std::shared_ptr<Channel> channel;
    const std::weak_ptr<WsSubscriber> subscriber;
    // Under the channel's mutex:
    std::uint64_t next;    // the number of the next message to take
    bool waiting = false;  // in the channel's waiting list
    bool slow = false;     // fell further behind than the backlog; told so
};

void WsHub::Channel::trim(std::vector<std::weak_ptr<WsSubscriber>>& slow) {
    std::uint64_t needed = end();
    for (const auto& s : subscriptions) {
        if (!s->slow) needed = std::min(needed, s->next);
    }
    const auto drop_front = [this] {
        bytes -= log.front()->size();
        log.pop_front();
        ++first;
    };
    while (first < needed) drop_front();
    while (!log.empty() && (log.size() > backlog.messages || bytes > backlog.bytes)) drop_front();
    if (first > needed) {
        for (const auto& s : subscriptions) {
            if (s->slow || s->next >= first) continue;
            s->slow = true;
            slow.push_back(s->subscriber);
        }
    }
    trim_at = log.size() + kTrimEvery;
}

WsHub::~WsHub() {
    for (const auto& [name, channel] : channels_) {
        std::lock_guard lock(channel->mutex);
        channel->subscriptions.clear();
        channel->waiting.clear();
    }
}

std::shared_ptr<WsHub::Subscription> WsHub::subscribe(const std::string& name,
                                                      std::weak_ptr<WsSubscriber> subscriber) {
    std::lock_guard lock(mutex_);
    auto& channel = channels_[name];
    if (!channel) channel = std::make_shared<Channel>(name, backlog_);
    std::lock_guard channel_lock(channel->mutex);
    auto s = std::make_shared<Subscription>(channel, std::move(subscriber), channel->end());
    channel->subscriptions.push_back(s);
    return s;
}

void WsHub::unsubscribe(const std::shared_ptr<Subscription>& s) {
    std::lock_guard lock(mutex_);
    Channel& c = *s->channel;
    std::lock_guard channel_lock(c.mutex);
    std::erase(c.subscriptions, s);
    if (s->waiting) std::erase(c.waiting, s);
    if (!c.subscriptions.empty()) return;
    // Nobody left to read it; a publisher that found the channel before this lands its message
    // in a log nobody reads.
    c.first = c.end();
    c.log.clear();
    c.bytes = 0;
    if (const auto it = channels_.find(c.name); it != channels_.end() && it->second.get() == &c) {
        channels_.erase(it);
    }
}

bool WsHub::has_subscribers(const std::string& channel) const {
    std::lock_guard lock(mutex_);
    return channels_.contains(channel);
}

std::size_t WsHub::publish(const std::string& name, Message message) {
    std::shared_ptr<Channel> channel;
    {
        std::lock_guard lock(mutex_);
        const auto it = channels_.find(name);
        if (it == channels_.end()) return 0;
        channel = it->second;
    }
    // Kept per publishing thread: woken outside the channel's lock, since a subscriber whose
    // last reference is the one taken here ends in this thread and unsubscribes.
    thread_local std::vector<std::weak_ptr<WsSubscriber>> wake;
    thread_local std::vector<std::weak_ptr<WsSubscriber>> slow;
    std::size_t subscribers = 0;
    {
        std::lock_guard lock(channel->mutex);
        subscribers = channel->subscriptions.size();
        if (subscribers == 0) return 0;
        channel->bytes += message->size();
        channel->log.push_back(std::move(message));
        for (const auto& s : channel->waiting) {
            s->waiting = false;
            wake.push_back(s->subscriber);
        }
        channel->waiting.clear();
        if (channel->log.size() >= channel->trim_at) channel->trim(slow);
    }
    for (const auto& w : wake) {
        if (const auto s = w.lock()) s->wake();
    }
    for (const auto& w : slow) {
        if (const auto s = w.lock()) s->too_slow();
    }
    wake.clear();
    slow.clear();
    return subscribers;
}

bool WsHub::take(const std::shared_ptr<Subscription>& s, std::vector<Message>& out) {
    Channel& c = *s->channel;
    std::lock_guard lock(c.mutex);
    if (s->slow || s->next < c.first) return false;
    for (auto i = static_cast<std::size_t>(s->next - c.first); i < c.log.size(); ++i) {
        out.push_back(c.log[i]);
    }
    s->next = c.end();
    return true;
}

bool WsHub::ready_or_wait(const std::shared_ptr<Subscription>& s) {
    Channel& c = *s->channel;
    std::lock_guard lock(c.mutex);
    if (s->slow || s->next < c.end()) return true;
    if (!s->waiting) {
        s->waiting = true;
        c.waiting.push_back(s);
    }
    return false;
}

}  // namespace xtrader::api
