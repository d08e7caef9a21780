// Accounts and their API keys. A key is known only by its SHA-256 digest: the configuration
// names keys by `api_key_sha256` (or, for the demo accounts, by a plain `api_key` that is hashed
// at start), and keys issued at run time are shown once and kept as digests in
// `<data_dir>/keys.json` (mode 0600). A key is read-only (balances, orders, history) or trading.
//
// Thread-safe. authenticate() is on the order path and takes no lock: it reads an immutable
// table through a per-thread copy of the current pointer, refreshed only when the table changed.
// Changes (create an account, issue or revoke a key) are rare admin calls: they build a new
// table under a mutex and are written to disk before they are answered.
#pragma once

#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "xtrader/api/secrets.hpp"
#include "xtrader/core/types.hpp"

namespace xtrader::api {

enum class KeyScope : std::uint8_t {
    ReadOnly,  // reads the account: balances, orders, executions, the orders channel
    Trading,   // also places and cancels orders
};
std::string_view to_string(KeyScope scope) noexcept;
std::optional<KeyScope> parse_key_scope(std::string_view text) noexcept;

struct Principal {
    AccountId account = 0;
    KeyScope scope = KeyScope::Trading;
    std::size_t slot = 0;  // dense, < KeyRegistry::kMaxKeys: the key's rate-limit slot
};

struct KeyInfo {
    std::string key_id;  // the first 16 hex digits of the digest: names a key, reveals nothing
    AccountId account = 0;
    KeyScope scope = KeyScope::Trading;
    bool from_config = false;
    bool revoked = false;
};

struct AccountInfo {
    AccountId id = 0;
    std::string name;
    bool from_config = false;
};

class KeyRegistry {
  public:
    static constexpr std::size_t kMaxKeys = 16384;

    // file: where keys issued at run time are kept; empty keeps them in memory only.
    explicit KeyRegistry(std::filesystem::path file = {});
    ~KeyRegistry();

    // Configuration, before use. Throws std::invalid_argument on a repeated id or digest.
    void add_account(AccountId id, std::string name);
    void add_key(AccountId account, const Digest& digest, KeyScope scope);
    // Then what earlier runs issued or revoked. Throws std::runtime_error if the file is bad.
    void load();

    std::optional<Principal> authenticate(std::string_view secret) const;
    bool has_account(AccountId id) const;

    // Admin changes: persisted before they return; std::runtime_error when the disk refuses.
    AccountInfo create_account(std::string name, AccountId max_accounts);
    // The secret (shown once) and the key's id; nullopt for an unknown account or no room.
    std::optional<std::pair<std::string, KeyInfo>> issue_key(AccountId account, KeyScope scope);
    // False for an unknown key id.
    bool revoke(std::string_view key_id);
    std::vector<AccountInfo> accounts() const;
    std::vector<KeyInfo> keys() const;

  private:
    struct Key {
        KeyInfo info;
        Digest digest{};
        std::size_t slot = 0;
    };
    struct Table {
        std::map<AccountId, AccountInfo> accounts;
        std::vector<Key> keys;                                   // by slot
        std::unordered_map<std::string, std::size_t> by_digest;  // raw digest bytes -> slot
    };

    const Table& current() const;
    void publish(std::shared_ptr<const Table> table);  // under mutex_
    void save(const Table& table) const;               // under mutex_
    static void insert_key(Table& table, Key key);

    const std::uint64_t instance_;
    std::filesystem::path file_;
    mutable std::mutex mutex_;
    std::shared_ptr<const Table> table_;  // guarded by mutex_; readers use current()
    std::atomic<std::uint64_t> version_{1};
};

}  // namespace xtrader::api
