// Which order holds an account's client_order_id. The identity is the pair (account, the id's
// exact text): a hash only says where to look, and every lookup compares the whole key, so two
// ids that hash alike never stand for each other (an account could otherwise take another's
// ids, or be answered with another's order).
//
// Open addressing with linear probing and backward-shift deletion, at most half full; find /
// insert / erase are O(1) expected. The seed makes where a key lands unpredictable from outside
// (crafted ids cannot pile up on one probe run); it changes no observable state.
// Not thread-safe; owned by the matching engine.
#pragma once

#include <cstdint>
#include <vector>

#include "xtrader/core/types.hpp"

namespace xtrader {

class ClientIdIndex {
  public:
    struct Entry {
        std::uint64_t hash = 0;  // 0: an empty slot
        OrderId order = 0;
        AccountId account = 0;
        ClientOrderId id;
    };

    explicit ClientIdIndex(std::uint64_t seed = 0, std::size_t initial_capacity = 1024);

    // Never 0; equal keys hash equally. An empty id has no hash (callers skip it).
    std::uint64_t hash(AccountId account, const ClientOrderId& id) const noexcept;

    const OrderId* find(AccountId account, const ClientOrderId& id) const noexcept;
    // The key must not be present.
    void insert(AccountId account, const ClientOrderId& id, OrderId order);
    // Removes the entry of `order` whose key hashed to `hash`; false when there is none.
    bool erase(std::uint64_t hash, OrderId order) noexcept;

    std::size_t size() const noexcept { return size_; }
    void clear() noexcept;
    // Every entry, in slot order (callers that need a canonical order sort).
    const std::vector<Entry>& slots() const noexcept { return slots_; }

  private:
    std::size_t home(std::uint64_t hash) const noexcept { return hash & mask_; }
    void rehash(std::size_t capacity);
    void place(const Entry& entry) noexcept;

    std::uint64_t seed_;
    std::vector<Entry> slots_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
};

}  // namespace xtrader
