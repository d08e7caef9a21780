#include "xtrader/app/accounts.hpp"

#include <fstream>
#include <future>
#include <iostream>
#include <thread>

#include "xtrader/api/secrets.hpp"
#include "xtrader/core/decimal.hpp"

namespace xtrader::app {

void load_keys(const Config& config, api::KeyRegistry& keys) {
    try {
        for (const auto& a : config.accounts) {
            keys.add_account(a.id, a.name);
            if (a.key_digest) {
                keys.add_key(a.id, *a.key_digest, a.scope);
            }
        }
        keys.load();
    } catch (const std::exception& e) {
        throw ConfigError(e.what());
    }
}

std::string admin_token(const Config& config) {
    if (!config.admin_routes) return {};
    if (!config.admin_token.empty()) return config.admin_token;
    const auto path = config.sequencer.data_dir / "admin_token";
    if (std::ifstream in(path); in) {
        std::string token;
        std::getline(in, token);
        if (!token.empty()) return token;
    }
    std::filesystem::create_directories(config.sequencer.data_dir);
    const auto token = api::random_secret("xta_", 24);
    try {
        api::write_private_file(path, token + "\n");
    } catch (const std::runtime_error& e) {
        throw ConfigError(std::string("the admin token: ") + e.what());
    }
    std::cout << "xtraderd: admin token (X-Admin-Token), shown this once and kept in "
              << path.string() << ":\n  " << token << "\n";
    return token;
}

void fund_demo_accounts(const Config& config, Sequencer& sequencer) {
    std::vector<std::future<void>> done;
    for (const auto& demo : config.accounts) {
        for (const auto& [asset_name, text] : demo.deposit) {
            const auto* asset = config.catalog.find_asset(asset_name);
            if (asset == nullptr) throw ConfigError("deposit in unknown asset " + asset_name);
            Amount amount = 0;
            if (parse_decimal(text, asset->scale, amount) != DecimalError::Ok || amount <= 0) {
                throw ConfigError("bad deposit amount " + text + " for " + demo.name);
            }
            auto promise = std::make_shared<std::promise<void>>();
            done.push_back(promise->get_future());
            const auto id = static_cast<AssetId>(asset - config.catalog.assets.data());
            while (sequencer.submit(Deposit{demo.id, id, amount}, [promise](const CommandReply&) {
                promise->set_value();
            }) != SubmitResult::Accepted) {
                std::this_thread::yield();
            }
        }
    }
    for (auto& f : done) f.wait();
}

}  // namespace xtrader::app
