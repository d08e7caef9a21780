// Little-endian binary encoding into and out of byte buffers, for journal records and
// snapshots. ByteReader never reads past its end: a short buffer sets failed() and yields zeros,
// so a decoder checks once at the end instead of after every field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace xtrader {

class ByteWriter {
  public:
    explicit ByteWriter(std::vector<std::byte>& out) noexcept : out_(out) {}

    template <class T>
    requires std::is_trivially_copyable_v<T>
    void put(T value) {
        const auto* bytes = reinterpret_cast<const std::byte*>(&value);
        out_.insert(out_.end(), bytes, bytes + sizeof(T));
    }

    void put_bytes(std::span<const std::byte> bytes) {
        out_.insert(out_.end(), bytes.begin(), bytes.end());
    }

    void put_string(std::string_view text) {
        put(static_cast<std::uint32_t>(text.size()));
        put_bytes(std::as_bytes(std::span(text.data(), text.size())));
    }

    std::size_t size() const noexcept { return out_.size(); }
    std::vector<std::byte>& buffer() noexcept { return out_; }

  private:
    std::vector<std::byte>& out_;
};

class ByteReader {
  public:
    explicit ByteReader(std::span<const std::byte> in) noexcept : in_(in) {}

    template <class T>
    requires std::is_trivially_copyable_v<T> T get()
    noexcept {
        if constexpr (std::is_same_v<T, bool>) {
            // A byte other than 0 or 1 is no bool (copying it into one is undefined).
            const auto byte = get<std::uint8_t>();
            if (byte > 1) failed_ = true;
            return byte == 1;
        } else {
            T value{};
            if (in_.size() - pos_ < sizeof(T)) {
                failed_ = true;
                pos_ = in_.size();
                return value;
            }
            std::memcpy(&value, in_.data() + pos_, sizeof(T));
            pos_ += sizeof(T);
            return value;
        }
    }

    std::string get_string() {
        const auto size = get<std::uint32_t>();
        if (in_.size() - pos_ < size) {
            failed_ = true;
            pos_ = in_.size();
            return {};
        }
        std::string text(reinterpret_cast<const char*>(in_.data() + pos_), size);
        pos_ += size;
        return text;
    }

    std::span<const std::byte> rest() const noexcept { return in_.subspan(pos_); }
    bool at_end() const noexcept { return pos_ == in_.size(); }
    bool failed() const noexcept { return failed_; }
    void fail() noexcept { failed_ = true; }

  private:
    std::span<const std::byte> in_;
    std::size_t pos_ = 0;
    bool failed_ = false;
};

// FNV-1a, 64 bit: a cheap, stable fingerprint of a byte string (state hashes).
inline std::uint64_t fnv1a(std::span<const std::byte> bytes) noexcept {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (std::byte b : bytes) {
        hash ^= static_cast<std::uint64_t>(b);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

}  // namespace xtrader
