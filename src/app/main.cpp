// xtraderd: loads the configuration and runs the process's role (roles.hpp) until SIGINT /
// SIGTERM. Exit codes: 0 stopped cleanly, 1 failed, 2 bad configuration (or Kafka topics the
// cluster refuses), 3 damaged journal.
#include <spdlog/spdlog.h>

#include <iostream>

#include "xtrader/app/roles.hpp"
#include "xtrader/bus/kafka_producer.hpp"
#include "xtrader/sequencer/journal.hpp"

int main(int argc, char** argv) {
    using namespace xtrader;
    try {
        const auto config = app::load_config(argc, argv);
        if (!config) return 0;
        spdlog::set_level(spdlog::level::from_str(config->log_level));
        // Written out at once, so that a killed process leaves its last words; these levels
        // are rare (none per order).
        spdlog::flush_on(spdlog::level::info);
        switch (config->role) {
            case app::Role::Exchange: return app::run_exchange(*config);
            case app::Role::Persister: return app::run_persister(*config);
            case app::Role::Mdp: return app::run_mdp(*config);
            case app::Role::WsGateway: return app::run_ws_gateway(*config);
            case app::Role::Surveillance: return app::run_surveillance(*config);
        }
        return 1;
    } catch (const app::ConfigError& e) {
        std::cerr << "xtraderd: configuration: " << e.what() << "\n";
        return 2;
    } catch (const KafkaError& e) {
        // A cluster that refuses the configured topics: a setting to change, like the above.
        std::cerr << "xtraderd: " << e.what() << "\n";
        return 2;
    } catch (const JournalError& e) {
        spdlog::critical("journal: {}", e.what());
        return 3;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
