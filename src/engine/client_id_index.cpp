#include "xtrader/engine/client_id_index.hpp"

namespace xtrader {

namespace {

// splitmix64's finaliser: every input bit moves every output bit.
constexpr std::uint64_t mix(std::uint64_t x) noexcept {
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

}  // namespace

ClientIdIndex::ClientIdIndex(std::uint64_t seed, std::size_t initial_capacity) : seed_(seed) {
    std::size_t capacity = 16;
    while (capacity < initial_capacity) capacity *= 2;
    rehash(capacity);
}

std::uint64_t ClientIdIndex::hash(AccountId account, const ClientOrderId& id) const noexcept {
    std::uint64_t h = mix(seed_ ^ (std::uint64_t{account} << 8 | id.view().size()));
    const auto text = id.view();
    for (std::size_t i = 0; i < text.size(); i += 8) {
        std::uint64_t word = 0;
        for (std::size_t k = 0; k < 8 && i + k < text.size(); ++k) {
            word |= std::uint64_t{static_cast<unsigned char>(text[i + k])} << (8 * k);
        }
        h = mix(h ^ word);
    }
    return h == 0 ? 1 : h;
}

const OrderId* ClientIdIndex::find(AccountId account, const ClientOrderId& id) const noexcept {
    const std::uint64_t h = hash(account, id);
    for (std::size_t i = home(h);; i = (i + 1) & mask_) {
        const Entry& e = slots_[i];
        if (e.hash == 0) return nullptr;
        if (e.hash == h && e.account == account && e.id == id) return &e.order;
    }
}

void ClientIdIndex::insert(AccountId account, const ClientOrderId& id, OrderId order) {
    if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
    place(Entry{hash(account, id), order, account, id});
    ++size_;
}

void ClientIdIndex::place(const Entry& entry) noexcept {
    std::size_t i = home(entry.hash);
    while (slots_[i].hash != 0) i = (i + 1) & mask_;
    slots_[i] = entry;
}

bool ClientIdIndex::erase(std::uint64_t hash, OrderId order) noexcept {
    std::size_t i = home(hash);
    while (!(slots_[i].hash == hash && slots_[i].order == order)) {
        if (slots_[i].hash == 0) return false;
        i = (i + 1) & mask_;
    }
    // Shift back every following entry that would not be found across the hole.
    for (std::size_t j = (i + 1) & mask_; slots_[j].hash != 0; j = (j + 1) & mask_) {
        const std::size_t h = home(slots_[j].hash);
        const bool movable = i <= j ? (h <= i || h > j) : (h <= i && h > j);
        if (movable) {
            slots_[i] = slots_[j];
            i = j;
        }
    }
    slots_[i] = Entry{};
    --size_;
    return true;
}

void ClientIdIndex::clear() noexcept {
    for (auto& e : slots_) e = Entry{};
    size_ = 0;
}

void ClientIdIndex::rehash(std::size_t capacity) {
    std::vector<Entry> old(capacity);
    old.swap(slots_);
    mask_ = capacity - 1;
    for (const auto& e : old) {
        if (e.hash != 0) place(e);
    }
}

}  // namespace xtrader
