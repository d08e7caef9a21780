#include "xtrader/api/ws_hub.hpp"

#include <algorithm>

namespace xtrader::api {

void WsHub::subscribe(const std::string& channel, const std::shared_ptr<WsSubscriber>& s) {
    std::lock_guard lock(mutex_);
    channels_[channel].push_back({s.get(), s});
}

void WsHub::unsubscribe(const std::string& channel, const WsSubscriber* s) {
    std::lock_guard lock(mutex_);
    const auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    auto& list = it->second;
    // By identity and expiry, without lock(): a strong reference made here could be the last
    // one, and the destructor it would run unsubscribes, under this same lock.
    std::erase_if(list, [&](const Entry& e) { return e.subscriber == s || e.weak.expired(); });
    if (list.empty()) channels_.erase(it);
}

bool WsHub::has_subscribers(const std::string& channel) const {
    std::lock_guard lock(mutex_);
    return channels_.contains(channel);
}

std::size_t WsHub::publish(const std::string& channel, const Message& message) {
    // Collect under the lock, deliver (and let the references go) outside it. The list is kept
    // per publishing thread: with thousands of subscribers it is too large to allocate (and
    // fault in) for every message.
    thread_local std::vector<std::shared_ptr<WsSubscriber>> targets;
    targets.clear();
    {
        std::lock_guard lock(mutex_);
        const auto it = channels_.find(channel);
        if (it == channels_.end()) return 0;
        auto& list = it->second;
        targets.reserve(list.size());
        std::erase_if(list, [&](const Entry& e) {
            auto p = e.weak.lock();
            if (!p) return true;
            targets.push_back(std::move(p));
            return false;
        });
        if (list.empty()) channels_.erase(it);
    }
    for (const auto& t : targets) t->deliver(message);
    const auto delivered = targets.size();
    targets.clear();  // the sessions' references go now, not at the next publish
    return delivered;
}

}  // namespace xtrader::api
