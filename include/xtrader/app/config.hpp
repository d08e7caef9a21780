// xtraderd's configuration: config/xtrader.toml, overridden by XTRADER_* environment variables,
// overridden by command-line flags. load_config() reports the first problem as a ConfigError
// naming the setting and where it came from.
#pragma once

#include <filesystem>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "xtrader/api/http_server.hpp"
#include "xtrader/api/rest_api.hpp"
#include "xtrader/api/ws_server.hpp"
#include "xtrader/core/market.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace xtrader::app {

class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct DemoAccount {
    api::ApiAccount account;
    std::map<std::string, std::string> deposit;  // asset -> amount, credited on a fresh start
};

struct Config {
    std::filesystem::path config_file;
    std::string host = "0.0.0.0";
    unsigned short http_port = 7000;
    unsigned short ws_port = 7001;
    unsigned io_threads = 0;  // 0: hardware concurrency
    api::HttpOptions http;
    api::WsOptions ws;
    SequencerOptions sequencer;
    api::RestOptions rest;
    MarketCatalog catalog;
    std::vector<DemoAccount> accounts;
    std::string log_level = "info";
};

// Returns nullopt after printing --help.
std::optional<Config> load_config(int argc, char** argv);

std::string usage();

}  // namespace xtrader::app
