// The few cryptographic operations the API needs, on OpenSSL: digests of secrets (API keys and
// the admin token are compared and stored as SHA-256, never as text), comparison in constant
// time, fresh random secrets, and files that hold them. Thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace xtrader::api {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view text) noexcept;
std::string to_hex(const Digest& digest);
std::optional<Digest> digest_from_hex(std::string_view hex) noexcept;
// Equal digests, in time that does not depend on where they differ.
bool equal_in_constant_time(const Digest& a, const Digest& b) noexcept;
// `bytes` random bytes from the OS's generator, as lowercase hex, after `prefix`.
std::string random_secret(std::string_view prefix, std::size_t bytes);
// Replaces `path` with `text`, readable by this user only (0600): written aside, synced, renamed,
// so a crash leaves the old file or the new one. Throws std::runtime_error.
void write_private_file(const std::filesystem::path& path, std::string_view text);

}  // namespace xtrader::api
