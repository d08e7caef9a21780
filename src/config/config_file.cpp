#include "xtrader/config/config_file.hpp"

#include <toml++/toml.h>

#include "xtrader/core/decimal.hpp"

namespace xtrader::config {

struct ConfigFile::Tree {
    toml::table root;
};

namespace {

std::string node_text(const toml::node& node) {
    if (const auto* s = node.as_string()) return s->get();
    if (const auto* i = node.as_integer()) return std::to_string(i->get());
    if (const auto* b = node.as_boolean()) return b->get() ? "true" : "false";
    if (const auto* f = node.as_floating_point()) {
        throw ConfigError("write decimals as strings (\"0.0005\"), not floating point: " +
                          std::to_string(f->get()));
    }
    throw ConfigError("expected a scalar value");
}

std::string required(const toml::table& table, const char* key, const std::string& where) {
    const auto* node = table.get(key);
    if (node == nullptr) throw ConfigError(where + ": missing \"" + key + "\"");
    try {
        return node_text(*node);
    } catch (const ConfigError& e) {
        throw ConfigError(where + "." + key + ": " + e.what());
    }
}

std::string optional_text(const toml::table& table, const char* key) {
    const auto* node = table.get(key);
    return node != nullptr ? node_text(*node) : std::string{};
}

std::int64_t decimal(const std::string& text, int scale, const std::string& where) {
    std::int64_t value = 0;
    if (const auto e = parse_decimal(text, scale, value); e != DecimalError::Ok) {
        throw ConfigError(where + ": \"" + text + "\" " + std::string(to_string(e)) + " (scale " +
                          std::to_string(scale) + ")");
    }
    return value;
}

// Each [[name]] entry, which must be a table.
template <class F>
void for_each_table(const toml::table& root, const char* name, F&& f) {
    const auto* array = root[name].as_array();
    if (array == nullptr) return;
    for (const auto& node : *array) {
        const auto* table = node.as_table();
        if (table == nullptr) throw ConfigError(std::string(name) + ": entries must be tables");
        f(*table);
    }
}

// Overlays `top` on `base`: tables merge key by key, anything else replaces.
void merge(toml::table& base, const toml::table& top) {
    for (const auto& [key, node] : top) {
        auto* mine = base.get(key);
        if (mine != nullptr && mine->is_table() && node.is_table()) {
            merge(*mine->as_table(), *node.as_table());
        } else {
            base.insert_or_assign(key, node);
        }
    }
}

toml::table parse_file(const std::filesystem::path& file, int depth = 0) {
    toml::table root;
    try {
        root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw ConfigError(file.string() + ": " + std::string(e.description()));
    }
    const auto include = root["include"].value<std::string>();
    if (!include) return root;
    if (depth > 4) throw ConfigError(file.string() + ": includes nest too deep");
    toml::table base = parse_file(file.parent_path() / *include, depth + 1);
    root.erase("include");
    merge(base, root);
    return base;
}

}  // namespace

ConfigFile::ConfigFile(std::filesystem::path path, std::unique_ptr<Tree> tree)
    : path_(std::move(path)), tree_(std::move(tree)) {}
ConfigFile::~ConfigFile() = default;
ConfigFile::ConfigFile(ConfigFile&&) noexcept = default;
ConfigFile& ConfigFile::operator=(ConfigFile&&) noexcept = default;

ConfigFile ConfigFile::load(const std::filesystem::path& file) {
    return ConfigFile(file, std::make_unique<Tree>(Tree{parse_file(file)}));
}

std::optional<std::string> ConfigFile::value(std::string_view dotted) const {
    const auto* node = tree_->root.at_path(dotted).node();
    if (node == nullptr) return std::nullopt;
    return node_text(*node);
}

MarketCatalog ConfigFile::markets() const {
    const auto& root = tree_->root;
    if (root["assets"].as_array() == nullptr || root["markets"].as_array() == nullptr) {
        throw ConfigError("the configuration needs [[assets]] and [[markets]]");
    }
    MarketCatalog catalog;
    for_each_table(root, "assets", [&](const toml::table& t) {
        const std::string where = "assets." + required(t, "name", "assets");
        catalog.assets.push_back(
            {required(t, "name", where), parse_number<int>(required(t, "scale", where), where)});
    });
    const auto asset_id = [&](const std::string& name, const std::string& where) {
        for (AssetId i = 0; i < catalog.assets.size(); ++i) {
            if (catalog.assets[i].name == name) return i;
        }
        throw ConfigError(where + ": unknown asset \"" + name + "\"");
    };
    for_each_table(root, "markets", [&](const toml::table& t) {
        MarketSpec m;
        m.symbol = required(t, "symbol", "markets");
        const std::string where = "markets." + m.symbol;
        const auto amount = [&](const char* key, int scale) {
            return decimal(required(t, key, where), scale, where + "." + key);
        };
        m.base = asset_id(required(t, "base", where), where);
        m.quote = asset_id(required(t, "quote", where), where);
        m.price_scale = parse_number<int>(required(t, "price_decimals", where), where);
        m.qty_scale = parse_number<int>(required(t, "quantity_decimals", where), where);
        m.tick_size = amount("tick_size", m.price_scale);
        m.lot_size = amount("lot_size", m.qty_scale);
        m.min_quantity = amount("min_quantity", m.qty_scale);
        m.max_quantity = amount("max_quantity", m.qty_scale);
        m.max_price = amount("max_price", m.price_scale);
        m.maker_fee_ppm = static_cast<std::uint32_t>(amount("maker_fee", 6));
        m.taker_fee_ppm = static_cast<std::uint32_t>(amount("taker_fee", 6));
        if (const auto band = optional_text(t, "price_band"); !band.empty()) {
            m.price_band_ppm = static_cast<std::uint32_t>(decimal(band, 6, where + ".price_band"));
        }
        catalog.markets.push_back(m);
    });
    if (auto error = catalog.validate(); !error.empty()) throw ConfigError(error);
    return catalog;
}

std::vector<AccountEntry> ConfigFile::accounts() const {
    std::vector<AccountEntry> out;
    for_each_table(tree_->root, "accounts", [&](const toml::table& t) {
        AccountEntry a;
        a.name = required(t, "name", "accounts");
        const std::string where = "accounts." + a.name;
        a.id = parse_number<AccountId>(required(t, "id", where), where + ".id");
        if (a.id == kFeeAccount) throw ConfigError(where + ": id 0 is the fee account");
        a.api_key = optional_text(t, "api_key");
        a.api_key_sha256 = optional_text(t, "api_key_sha256");
        a.scope = optional_text(t, "scope");
        a.owner = optional_text(t, "owner");
        if (t.get("api_key") != nullptr && a.api_key.size() < 12) {
            throw ConfigError(where + ".api_key: at least 12 characters");
        }
        if (!a.api_key.empty() && !a.api_key_sha256.empty()) {
            throw ConfigError(where + ": api_key or api_key_sha256, not both");
        }
        if (const auto* deposit = t["deposit"].as_table()) {
            for (const auto& [asset, amount] : *deposit) {
                a.deposit[std::string(asset.str())] = node_text(amount);
            }
        }
        for (const auto& other : out) {
            if (other.id == a.id) throw ConfigError(where + ": id used twice");
        }
        out.push_back(std::move(a));
    });
    return out;
}

std::vector<VenueEntry> ConfigFile::venues() const {
    std::vector<VenueEntry> out;
    for_each_table(tree_->root, "venues", [&](const toml::table& t) {
        VenueEntry v;
        v.name = required(t, "name", "venues");
        const std::string where = "venues." + v.name;
        v.kind = required(t, "kind", where);
        v.url = required(t, "url", where);
        v.fee = optional_text(t, "fee");
        if (const auto* symbols = t["symbols"].as_table()) {
            for (const auto& [ours, theirs] : *symbols) {
                v.symbols[std::string(ours.str())] = node_text(theirs);
            }
        }
        for (const auto& other : out) {
            if (other.name == v.name) throw ConfigError(where + ": name used twice");
        }
        out.push_back(std::move(v));
    });
    return out;
}

}  // namespace xtrader::config
