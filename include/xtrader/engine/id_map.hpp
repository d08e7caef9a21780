// An open-addressing hash map from a non-zero 64-bit id to a small trivially copyable value:
// linear probing, backward-shift deletion (no tombstones), capacity a power of two kept at most
// half full. find / insert / erase are O(1) expected and allocate only when the map grows.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <vector>

namespace xtrader {

template <class Value>
requires std::is_trivially_copyable_v<Value>
class IdMap {
  public:
    explicit IdMap(std::size_t initial_capacity = 1024) { rehash(round_up(initial_capacity)); }

    // Returns a pointer to the value, or nullptr. Valid until the next insert or erase.
    Value* find(std::uint64_t id) noexcept {
        for (std::size_t i = slot(id);; i = (i + 1) & mask_) {
            if (slots_[i].id == id) return &slots_[i].value;
            if (slots_[i].id == 0) return nullptr;
        }
    }
    const Value* find(std::uint64_t id) const noexcept {
        return const_cast<IdMap*>(this)->find(id);
    }

    // Inserts or overwrites. id must not be 0.
    void insert(std::uint64_t id, Value value) {
        if ((size_ + 1) * 2 > slots_.size()) rehash(slots_.size() * 2);
        std::size_t i = slot(id);
        while (slots_[i].id != 0 && slots_[i].id != id) i = (i + 1) & mask_;
        if (slots_[i].id == 0) ++size_;
        slots_[i] = {id, value};
    }

    bool erase(std::uint64_t id) noexcept {
        std::size_t i = slot(id);
        while (slots_[i].id != id) {
            if (slots_[i].id == 0) return false;
            i = (i + 1) & mask_;
        }
        // Shift back every following entry that would not be found across the hole.
        for (std::size_t j = (i + 1) & mask_; slots_[j].id != 0; j = (j + 1) & mask_) {
            const std::size_t home = slot(slots_[j].id);
            const bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
            if (movable) {
                slots_[i] = slots_[j];
                i = j;
            }
        }
        slots_[i] = {};
        --size_;
        return true;
    }

    std::size_t size() const noexcept { return size_; }

    void clear() noexcept {
        for (auto& s : slots_) s = {};
        size_ = 0;
    }

  private:
    struct Slot {
        std::uint64_t id = 0;
        Value value{};
    };

    static std::size_t round_up(std::size_t n) {
        std::size_t capacity = 16;
        while (capacity < n) capacity *= 2;
        return capacity;
    }

    std::size_t slot(std::uint64_t id) const noexcept {
        return static_cast<std::size_t>((id * 0x9E3779B97F4A7C15ULL) >> shift_);
    }

    void rehash(std::size_t capacity) {
        std::vector<Slot> old(capacity);
        old.swap(slots_);
        mask_ = capacity - 1;
        shift_ = 64 - static_cast<unsigned>(__builtin_ctzll(capacity));
        size_ = 0;
        for (const auto& s : old) {
            if (s.id != 0) insert(s.id, s.value);
        }
    }

    std::vector<Slot> slots_;
    std::size_t size_ = 0;
    std::size_t mask_ = 0;
    unsigned shift_ = 64;
};

}  // namespace xtrader
