// xtraderd: recover the engine from the data directory, start the sequencer and the REST server,
// and on SIGINT / SIGTERM stop accepting, answer everything accepted, snapshot and exit 0.
#include <spdlog/spdlog.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <future>
#include <iostream>
#include <thread>

#include "xtrader/api/http_server.hpp"
#include "xtrader/api/metrics.hpp"
#include "xtrader/api/order_view.hpp"
#include "xtrader/api/rest_api.hpp"
#include "xtrader/app/config.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/sequencer/recovery.hpp"
#include "xtrader/sequencer/sequencer.hpp"

namespace {

using namespace xtrader;
namespace net = boost::asio;

// The order view learns the orders placed before this start from the journal, the same way it
// learns new ones from the commit path.
void rebuild_order_view(api::OrderView& view, const std::filesystem::path& data_dir,
                        Sequence last_sequence) {
    const auto segments = list_segments(journal_dir(data_dir));
    if (segments.empty() || last_sequence == 0) return;
    JournalReader reader(journal_dir(data_dir), segments.front().first);
    std::size_t count = 0;
    while (auto record = reader.next(last_sequence)) {
        CommandReply reply{record->sequence, record->timestamp, RejectReason::None, record->events,
                           &record->command};
        for (const auto& e : record->events) {
            if (const auto* r = std::get_if<CommandRejected>(&e)) reply.result = r->reason;
        }
        view.on_committed(reply);
        ++count;
    }
    spdlog::info("order view rebuilt from {} journal records", count);
}

// Credits the configured demo balances, once, on an empty exchange.
void fund_demo_accounts(const app::Config& config, Sequencer& sequencer) {
    std::vector<std::future<void>> done;
    for (const auto& demo : config.accounts) {
        for (const auto& [asset_name, text] : demo.deposit) {
            const auto* asset = config.catalog.find_asset(asset_name);
            if (asset == nullptr) throw app::ConfigError("deposit in unknown asset " + asset_name);
            Amount amount = 0;
            if (parse_decimal(text, asset->scale, amount) != DecimalError::Ok || amount <= 0) {
                throw app::ConfigError("bad deposit amount " + text + " for " + demo.account.name);
            }
            auto promise = std::make_shared<std::promise<void>>();
            done.push_back(promise->get_future());
            const auto id = static_cast<AssetId>(asset - config.catalog.assets.data());
            while (sequencer.submit(Deposit{demo.account.id, id, amount},
                                    [promise](const CommandReply&) { promise->set_value(); }) !=
                   SubmitResult::Accepted) {
                std::this_thread::yield();
            }
        }
    }
    for (auto& f : done) f.wait();
}

int run(const app::Config& config) {
    spdlog::info("xtraderd starting: config {}, data {}, fsync {}", config.config_file.string(),
                 config.sequencer.data_dir.string(), to_string(config.sequencer.fsync));
    MatchingEngine engine(config.catalog);
    // Recovery must finish before anything reads or writes the engine.
    const auto report = recover(engine, config.sequencer.data_dir);
    spdlog::info(
        "recovered: snapshot at {}, {} commands replayed, last sequence {}, state hash "
        "{:016x}{}",
        report.snapshot_sequence, report.replayed, report.last_sequence, report.state_hash,
        report.truncated_bytes != 0
            ? fmt::format(", torn tail of {} bytes cut", report.truncated_bytes)
            : "");

    api::OrderView orders;
    rebuild_order_view(orders, config.sequencer.data_dir, report.last_sequence);
    SystemClock clock;
    Sequencer sequencer(engine, clock, config.sequencer, report.last_sequence);
    sequencer.add_observer(orders);
    // Until a durable consumer of the journal owns a cursor, keep every segment: the order view
    // is rebuilt from the whole journal at start.
    static const std::atomic<Sequence> keep_all{0};
    sequencer.register_cursor(keep_all);
    sequencer.start();
    if (report.last_sequence == 0) fund_demo_accounts(config, sequencer);

    api::RequestMetrics metrics;
    api::RestApi rest(config.catalog, sequencer, orders, metrics, config.rest);
    const unsigned threads = config.io_threads != 0
                                 ? config.io_threads
                                 : std::max(1u, std::thread::hardware_concurrency());
    net::io_context io(static_cast<int>(threads));
    api::HttpServer http(io, {net::ip::make_address(config.host), config.http_port}, rest,
                         config.http);
    http.start();
    rest.set_ready(true);

    std::cout << "xtraderd: REST on http://localhost:" << http.port() << "/ (" << threads
              << " io threads)\n";
    for (const auto& demo : config.accounts) {
        std::cout << "  account " << demo.account.id << " " << demo.account.name
                  << "  X-API-Key: " << demo.account.api_key << "\n";
    }
    std::cout << std::flush;

    net::signal_set signals(io, SIGINT, SIGTERM);
    net::steady_timer grace(io);
    signals.async_wait([&](const boost::system::error_code& ec, int signal) {
        if (ec) return;
        spdlog::info("signal {}: stopping", signal);
        rest.set_ready(false);
        http.stop();
        // Answers every accepted command (their replies are posted to the io threads, which
        // keep running) and writes the final snapshot.
        sequencer.stop();
        grace.expires_after(std::chrono::milliseconds(300));
        grace.async_wait([&](const boost::system::error_code&) { io.stop(); });
    });

    std::vector<std::thread> pool;
    for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : pool) t.join();
    spdlog::info("stopped at sequence {}", sequencer.committed_sequence());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const auto config = app::load_config(argc, argv);
        if (!config) return 0;
        spdlog::set_level(spdlog::level::from_str(config->log_level));
        return run(*config);
    } catch (const app::ConfigError& e) {
        std::cerr << "xtraderd: configuration: " << e.what() << "\n";
        return 2;
    } catch (const JournalError& e) {
        spdlog::critical("journal: {}", e.what());
        return 3;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
