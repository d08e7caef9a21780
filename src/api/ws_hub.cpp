#include "xtrader/api/ws_hub.hpp"

#include <algorithm>
#include <unordered_set>

namespace xtrader::api {

void WsHub::subscribe(const std::string& channel, const std::shared_ptr<WsSubscriber>& s) {
    std::lock_guard lock(mutex_);
    channels_[channel].push_back(s);
}

void WsHub::unsubscribe(const std::string& channel, const WsSubscriber* s) {
    std::lock_guard lock(mutex_);
    const auto it = channels_.find(channel);
    if (it == channels_.end()) return;
    auto& list = it->second;
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&](const auto& w) {
                                  const auto p = w.lock();
                                  return !p || p.get() == s;
                              }),
               list.end());
    if (list.empty()) channels_.erase(it);
}

bool WsHub::has_subscribers(const std::string& channel) const {
    std::lock_guard lock(mutex_);
    return channels_.contains(channel);
}

std::size_t WsHub::publish(const std::string& channel, const Message& message) {
    // Collect under the lock, deliver outside it: delivery posts to strands and may close.
    std::vector<std::shared_ptr<WsSubscriber>> targets;
    {
        std::lock_guard lock(mutex_);
        const auto it = channels_.find(channel);
        if (it == channels_.end()) return 0;
        auto& list = it->second;
        targets.reserve(list.size());
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const auto& w) {
                                      auto p = w.lock();
                                      if (!p) return true;
                                      targets.push_back(std::move(p));
                                      return false;
                                  }),
                   list.end());
    }
    for (const auto& t : targets) t->deliver(message);
    return targets.size();
}

std::size_t WsHub::connections() const {
    std::lock_guard lock(mutex_);
    std::unordered_set<const WsSubscriber*> seen;
    for (const auto& [channel, list] : channels_) {
        for (const auto& w : list) {
            if (auto p = w.lock()) seen.insert(p.get());
        }
    }
    return seen.size();
}

}  // namespace xtrader::api
