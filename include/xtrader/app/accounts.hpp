// Setting up who may do what, at start: the configured accounts and keys, the admin token, and
// the demo balances of a fresh exchange.
#pragma once

#include <string>

#include "xtrader/api/key_registry.hpp"
#include "xtrader/app/config.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::app {

// The configured accounts and keys, then those the admin routes made in earlier runs.
void load_keys(const Config& config, api::KeyRegistry& keys);

// The admin token: the configured one, or the one an earlier start made in the data directory,
// or a new random one written there (mode 0600) and shown once. Empty when admin routes are off.
std::string admin_token(const Config& config);

// Credits the configured demo balances through the sequencer (running) and waits for them.
void fund_demo_accounts(const Config& config, Sequencer& sequencer);

}  // namespace xtrader::app
