// A pool of T with stable addresses: T objects live in fixed-size chunks that are never moved or
// freed before the pool, and released objects are reused LIFO (warm in cache). After warm-up,
// acquire and release allocate nothing. Not thread-safe.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

namespace xtrader {

template <class T, std::size_t ChunkSize = 4096>
class ObjectPool {
  public:
    ObjectPool() = default;
    ObjectPool(const ObjectPool&) = delete;
    ObjectPool& operator=(const ObjectPool&) = delete;
    ObjectPool(ObjectPool&&) = default;
    ObjectPool& operator=(ObjectPool&&) = default;

    // Returns a value-initialised T.
    T* acquire() {
        if (free_.empty()) grow();
        T* object = free_.back();
        free_.pop_back();
        *object = T{};
        return object;
    }

    void release(T* object) { free_.push_back(object); }

    std::size_t in_use() const noexcept { return chunks_.size() * ChunkSize - free_.size(); }

  private:
    void grow() {
        chunks_.push_back(std::make_unique<T[]>(ChunkSize));
        T* chunk = chunks_.back().get();
        free_.reserve(free_.size() + ChunkSize);
        for (std::size_t i = ChunkSize; i-- > 0;) free_.push_back(chunk + i);
    }

    std::vector<std::unique_ptr<T[]>> chunks_;
    std::vector<T*> free_;
};

}  // namespace xtrader
