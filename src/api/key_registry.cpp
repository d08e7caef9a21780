#include "xtrader/api/key_registry.hpp"

#include <fstream>
#include <iterator>
#include <stdexcept>

#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

std::atomic<std::uint64_t> next_instance{1};

std::string digest_key(const Digest& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

}  // namespace

std::string_view to_string(KeyScope scope) noexcept {
    return scope == KeyScope::ReadOnly ? "read_only" : "trading";
}

std::optional<KeyScope> parse_key_scope(std::string_view text) noexcept {
    if (text == "read_only") return KeyScope::ReadOnly;
    if (text == "trading") return KeyScope::Trading;
    return std::nullopt;
}

KeyRegistry::KeyRegistry(std::filesystem::path file)
    : instance_(next_instance.fetch_add(1)),
      file_(std::move(file)),
      table_(std::make_shared<const Table>()) {}

KeyRegistry::~KeyRegistry() = default;

void KeyRegistry::insert_key(Table& table, Key key) {
    key.slot = table.keys.size();
    if (key.slot >= kMaxKeys) throw std::invalid_argument("too many API keys");
    if (!table.by_digest.emplace(digest_key(key.digest), key.slot).second) {
        throw std::invalid_argument("an API key is configured twice");
    }
    table.keys.push_back(std::move(key));
}

void KeyRegistry::add_account(AccountId id, std::string name) {
    std::lock_guard lock(mutex_);
    auto table = std::make_shared<Table>(*table_);
    if (!table->accounts.emplace(id, AccountInfo{id, std::move(name), true}).second) {
        throw std::invalid_argument("account " + std::to_string(id) + " is configured twice");
    }
    publish(std::move(table));
}

void KeyRegistry::add_key(AccountId account, const Digest& digest, KeyScope scope) {
    std::lock_guard lock(mutex_);
    auto table = std::make_shared<Table>(*table_);
    insert_key(*table, Key{{to_hex(digest).substr(0, 16), account, scope, true, false}, digest});
    publish(std::move(table));
}

namespace {

// keys.json's members, type-checked; a mistake names the member.
const JsonValue& member(const JsonValue& object, const char* name, JsonValue::Kind kind) {
    const JsonValue* value = object.find(name);
    if (value == nullptr || !value->is(kind)) {
        throw std::invalid_argument(std::string("\"") + name +
                                    "\" is missing or of the wrong type");
    }
    return *value;
}

const std::vector<JsonValue>& list(const JsonValue& object, const char* name) {
    static const std::vector<JsonValue> none;
    return object.find(name) != nullptr ? member(object, name, JsonValue::Kind::Array).items : none;
}

AccountId account_id(const JsonValue& object, const char* name) {
    AccountId id = 0;
    if (!json_integer(object.find(name), id)) {
        throw std::invalid_argument(std::string("\"") + name + "\" is not an account id");
    }
    return id;
}

}  // namespace

void KeyRegistry::load() {
    std::lock_guard lock(mutex_);
    if (file_.empty() || !std::filesystem::exists(file_)) return;
    std::ifstream in(file_);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto bad = [&](const std::string& what) {
        return std::runtime_error(file_.string() + ": " + what);
    };
    std::string error;
    const auto json = parse_json_object(text, error, JsonNesting::Any);
    if (!json) throw bad(error);
    auto table = std::make_shared<Table>(*table_);
    try {
        for (const auto& a : list(*json, "accounts")) {
            const auto id = account_id(a, "id");
            const auto& name = member(a, "name", JsonValue::Kind::String).text;
            if (!table->accounts.emplace(id, AccountInfo{id, name, false}).second) {
                throw bad("account " + std::to_string(id) + " is also in the configuration");
            }
        }
        for (const auto& k : list(*json, "keys")) {
            const auto digest = digest_from_hex(member(k, "sha256", JsonValue::Kind::String).text);
            const auto scope = parse_key_scope(member(k, "scope", JsonValue::Kind::String).text);
            if (!digest || !scope) throw bad("a key has a bad digest or scope");
            const JsonValue* revoked = k.find("revoked");
            insert_key(*table, Key{{to_hex(*digest).substr(0, 16), account_id(k, "account"), *scope,
                                    false, revoked != nullptr && revoked->text == "true"},
                                   *digest});
        }
        for (const auto& id : list(*json, "revoked_config_keys")) {
            for (auto& key : table->keys) {
                if (key.info.key_id == id.text) key.info.revoked = true;
            }
        }
    } catch (const std::invalid_argument& e) {
        throw bad(e.what());
    }
    publish(std::move(table));
}

void KeyRegistry::save(const Table& table) const {
    if (file_.empty()) return;
    std::string text;
    JsonWriter json(text);
    json.begin_object().key("accounts").begin_array();
    for (const auto& [id, account] : table.accounts) {
        if (account.from_config) continue;
        json.begin_object().key("id").number(id).key("name").string(account.name).end_object();
    }
    json.end_array().key("keys").begin_array();
    for (const auto& key : table.keys) {
        if (key.info.from_config) continue;
        json.begin_object();
        json.key("sha256").string(to_hex(key.digest));
        json.key("account").number(key.info.account);
        json.key("scope").string(to_string(key.info.scope));
        json.key("revoked").boolean(key.info.revoked);
        json.end_object();
    }
    json.end_array().key("revoked_config_keys").begin_array();
    for (const auto& key : table.keys) {
        if (key.info.from_config && key.info.revoked) json.string(key.info.key_id);
    }
    json.end_array().end_object();
    write_private_file(file_, text + "\n");
}

void KeyRegistry::publish(std::shared_ptr<const Table> table) {
    table_ = std::move(table);
    version_.fetch_add(1, std::memory_order_release);
}

const KeyRegistry::Table& KeyRegistry::current() const {
    // Each thread keeps the table it last saw; the version says when to look again.
    thread_local struct {
        std::uint64_t instance = 0;
        std::uint64_t version = 0;
        std::shared_ptr<const Table> table;
    } seen;
    const auto version = version_.load(std::memory_order_acquire);
    if (seen.instance != instance_ || seen.version != version) {
        std::lock_guard lock(mutex_);
        seen = {instance_, version_.load(std::memory_order_relaxed), table_};
    }
    return *seen.table;
}

std::optional<Principal> KeyRegistry::authenticate(std::string_view secret) const {
    const Table& table = current();
    const auto found = table.by_digest.find(digest_key(sha256(secret)));
    if (found == table.by_digest.end()) return std::nullopt;
    const Key& key = table.keys[found->second];
    if (key.info.revoked) return std::nullopt;
    return Principal{key.info.account, key.info.scope, key.slot};
}

bool KeyRegistry::has_account(AccountId id) const {
    return current().accounts.contains(id);
}

AccountInfo KeyRegistry::create_account(std::string name, AccountId max_accounts) {
    std::lock_guard lock(mutex_);
    auto table = std::make_shared<Table>(*table_);
    const AccountId id = table->accounts.empty() ? 1 : table->accounts.rbegin()->first + 1;
    if (id >= max_accounts) throw std::runtime_error("no account ids are left");
    AccountInfo info{id, std::move(name), false};
    table->accounts.emplace(id, info);
    save(*table);
    publish(std::move(table));
    return info;
}

std::optional<std::pair<std::string, KeyInfo>> KeyRegistry::issue_key(AccountId account,
                                                                      KeyScope scope) {
    std::lock_guard lock(mutex_);
    if (!table_->accounts.contains(account) || table_->keys.size() >= kMaxKeys) {
        return std::nullopt;
    }
    auto table = std::make_shared<Table>(*table_);
    auto secret = random_secret("xt_", 24);
    const auto digest = sha256(secret);
    Key key{{to_hex(digest).substr(0, 16), account, scope, false, false}, digest};
    const KeyInfo info = key.info;
    insert_key(*table, std::move(key));
    save(*table);
    publish(std::move(table));
    return std::pair{std::move(secret), info};
}

bool KeyRegistry::revoke(std::string_view key_id) {
    std::lock_guard lock(mutex_);
    auto table = std::make_shared<Table>(*table_);
    bool found = false;
    for (auto& key : table->keys) {
        if (key.info.key_id == key_id && !key.info.revoked) {
            key.info.revoked = true;
            found = true;
        }
    }
    if (!found) return false;
    save(*table);
    publish(std::move(table));
    return true;
}

std::vector<AccountInfo> KeyRegistry::accounts() const {
    std::vector<AccountInfo> out;
    for (const auto& [id, account] : current().accounts) out.push_back(account);
    return out;
}

std::vector<KeyInfo> KeyRegistry::keys() const {
    std::vector<KeyInfo> out;
    for (const auto& key : current().keys) out.push_back(key.info);
    return out;
}

}  // namespace xtrader::api
