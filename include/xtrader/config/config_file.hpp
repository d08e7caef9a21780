// A configuration file as the daemon and its tools read it: TOML, where a file may start from
// another (`include = "xtrader.toml"`, relative to its own directory; its own settings win).
// This library knows the file's shape (scalars by dotted path, [[assets]], [[markets]],
// [[accounts]]), not what the daemon does with the settings, so that a client such as
// xtrader-sim reads the same file without linking the daemon.
#pragma once

#include <charconv>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "xtrader/core/market.hpp"

namespace xtrader::config {

// The first problem found, naming the setting and where it came from.
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One [[accounts]] entry, as written; the daemon turns the key into what it checks against.
struct AccountEntry {
    AccountId id = 0;
    std::string name;
    std::string api_key;         // plain (a demo account) or empty
    std::string api_key_sha256;  // hex, or empty
    std::string scope;           // "trading", "read_only" or empty
    std::string owner;  // who is behind the account: trades between one owner's are wash trades
    std::map<std::string, std::string> deposit;  // asset -> amount, credited on a fresh start
};

// One [[venues]] entry, as written: another exchange whose public ticker exchange-sync reads.
struct VenueEntry {
    std::string name;
    std::string kind;  // "upbit", "binance" or "generic"
    std::string url;
    std::string fee;                             // a fraction, "0.0005"; empty: none
    std::map<std::string, std::string> symbols;  // our symbol -> the venue's
};

class ConfigFile {
  public:
    // Throws ConfigError when the file (or one it includes) cannot be read or parsed.
    static ConfigFile load(const std::filesystem::path& file);
    ~ConfigFile();
    ConfigFile(ConfigFile&&) noexcept;
    ConfigFile& operator=(ConfigFile&&) noexcept;

    const std::filesystem::path& path() const noexcept { return path_; }
    // The scalar at a dotted path ("server.http_port") as text; nullopt when it is not set.
    // Decimals must be strings ("0.0005"): a TOML float is refused, it cannot be exact.
    std::optional<std::string> value(std::string_view dotted) const;
    // [[assets]] and [[markets]], validated.
    MarketCatalog markets() const;
    // [[accounts]]: ids and keys distinct, id 0 (the fee account) refused.
    std::vector<AccountEntry> accounts() const;
    // [[venues]]: names distinct.
    std::vector<VenueEntry> venues() const;

  private:
    struct Tree;
    ConfigFile(std::filesystem::path path, std::unique_ptr<Tree> tree);

    std::filesystem::path path_;
    std::unique_ptr<Tree> tree_;
};

// A whole number of type T, or ConfigError naming the setting.
template <class T>
T parse_number(const std::string& text, const std::string& name) {
    T value{};
    const auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (err != std::errc{} || end != text.data() + text.size()) {
        throw ConfigError(name + ": \"" + text + "\" is not a valid number");
    }
    return value;
}

}  // namespace xtrader::config
