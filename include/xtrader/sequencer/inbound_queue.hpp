// A bounded multi-producer queue with one consumer: Dmitry Vyukov's array queue, where each
// cell's sequence number says whether it is free for the producer of that lap or full for the
// consumer. try_push and try_pop are lock-free and never allocate; a full queue is refused at
// once (the API turns that into 503). Capacity is rounded up to a power of two.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <new>
#include <optional>

namespace xtrader {

template <class T>
class InboundQueue {
  public:
    explicit InboundQueue(std::size_t capacity) : mask_(round_up(capacity) - 1) {
        cells_ = std::make_unique<Cell[]>(mask_ + 1);
        for (std::size_t i = 0; i <= mask_; ++i)
            cells_[i].sequence.store(i, std::memory_order_relaxed);
    }
    InboundQueue(const InboundQueue&) = delete;
    InboundQueue& operator=(const InboundQueue&) = delete;

    // Any thread. On false the value is left untouched.
    bool try_push(T& value) noexcept {
        std::size_t pos = tail_.load(std::memory_order_relaxed);
        for (;;) {
            Cell& cell = cells_[pos & mask_];
            const std::size_t seq = cell.sequence.load(std::memory_order_acquire);
            const auto diff = static_cast<std::ptrdiff_t>(seq) - static_cast<std::ptrdiff_t>(pos);
            if (diff == 0) {
                if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_relaxed)) {
                    cell.value = std::move(value);
                    cell.sequence.store(pos + 1, std::memory_order_release);
                    return true;
                }
            } else if (diff < 0) {
                return false;  // full
            } else {
                pos = tail_.load(std::memory_order_relaxed);
            }
        }
    }

    // The consumer thread only.
    bool try_pop(T& out) noexcept {
        Cell& cell = cells_[head_ & mask_];
        if (cell.sequence.load(std::memory_order_acquire) != head_ + 1) return false;
        out = std::move(cell.value);
        cell.value = T{};
        cell.sequence.store(head_ + mask_ + 1, std::memory_order_release);
        ++head_;
        return true;
    }

    // Approximate when other threads are pushing.
    std::size_t size() const noexcept {
        return tail_.load(std::memory_order_relaxed) - head_seen_.load(std::memory_order_relaxed);
    }
    std::size_t capacity() const noexcept { return mask_ + 1; }
    // Called by the consumer after a batch so that size() can be read from other threads.
    void publish_head() noexcept { head_seen_.store(head_, std::memory_order_relaxed); }

  private:
    struct Cell {
        std::atomic<std::size_t> sequence{0};
        T value{};
    };

    static std::size_t round_up(std::size_t n) {
        std::size_t capacity = 2;
        while (capacity < n) capacity *= 2;
        return capacity;
    }

    const std::size_t mask_;
    std::unique_ptr<Cell[]> cells_;
    alignas(64) std::atomic<std::size_t> tail_{0};
    alignas(64) std::size_t head_ = 0;
    std::atomic<std::size_t> head_seen_{0};
};

}  // namespace xtrader
