// xtrader-sim: a moving market for a new user to look at, and a load generator. Over REST it
// runs, per market, market makers quoting both sides around a mid price that drifts, and takers
// that cross the spread now and then, with the demo accounts of the daemon's configuration.
//
// usage: xtrader-sim [--config FILE] [--host H] [--http-port P] [--rate ACTIONS_PER_S_PER_MARKET]
//                    [--seconds N (0: until stopped)] [--seed S]
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <deque>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "xtrader/app/config.hpp"
#include "xtrader/core/decimal.hpp"

namespace {

using namespace xtrader;
namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

std::atomic<bool> stop_requested{false};

// One keep-alive HTTP connection, reconnecting when the daemon closes it.
class RestClient {
  public:
    RestClient(std::string host, std::string port)
        : host_(std::move(host)), port_(std::move(port)) {}

    // The status and JSON body; nullopt when the daemon cannot be reached.
    std::optional<std::pair<unsigned, nlohmann::json>> call(http::verb verb,
                                                            const std::string& target,
                                                            const std::string& key,
                                                            const std::string& body = {}) {
        for (int attempt = 0; attempt < 2; ++attempt) {
            try {
                if (!stream_) connect();
                http::request<http::string_body> req{verb, target, 11};
                req.set(http::field::host, host_);
                if (!key.empty()) req.set("X-API-Key", key);
                if (!body.empty()) {
                    req.set(http::field::content_type, "application/json");
                    req.body() = body;
                }
                req.prepare_payload();
                http::write(*stream_, req);
                http::response<http::string_body> res;
                http::read(*stream_, buffer_, res);
                if (res.need_eof()) stream_.reset();
                return std::make_pair(res.result_int(),
                                      nlohmann::json::parse(res.body(), nullptr, false));
            } catch (const std::exception&) {
                stream_.reset();
            }
        }
        return std::nullopt;
    }

  private:
    void connect() {
        tcp::resolver resolver(io_);
        stream_.emplace(io_);
        stream_->connect(resolver.resolve(host_, port_));
        stream_->socket().set_option(tcp::no_delay(true));
    }

    std::string host_, port_;
    net::io_context io_;
    std::optional<beast::tcp_stream> stream_;
    beast::flat_buffer buffer_;
};

struct Quote {
    std::string order_id;
    std::string key;
};

// One market's simulated traders.
class MarketSimulation {
  public:
    MarketSimulation(const MarketSpec& market, std::vector<std::string> keys, RestClient& rest,
                     std::uint64_t seed)
        : m_(market), keys_(std::move(keys)), rest_(rest), rng_(seed) {
        // Start from the last trade, else the middle of the book, else a plausible price.
        mid_ = m_.max_price / 200 / m_.tick_size * m_.tick_size;
        if (auto stats = rest_.call(http::verb::get, "/api/v1/statistics/" + m_.symbol, "")) {
            const auto& last = stats->second["last_price"];
            if (last.is_number()) {
                Price p = 0;
                if (parse_decimal(last.dump(), m_.price_scale, p) == DecimalError::Ok && p > 0) {
                    mid_ = p;
                }
            }
        }
        anchor_ = mid_;
    }

    void step() {
        // The mid wanders a few ticks at a time and is pulled back towards where it started.
        const auto drift = pick(-3, 3) + (mid_ < anchor_ ? 1 : mid_ > anchor_ ? -1 : 0);
        mid_ = std::max(m_.tick_size * 10, mid_ + drift * m_.tick_size);
        const int action = static_cast<int>(pick(0, 99));
        if (action < 55) {
            quote();
        } else if (action < 80) {
            cancel_oldest();
        } else {
            take();
        }
    }

  private:
    std::int64_t pick(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
    }
    const std::string& maker() {
        return keys_[static_cast<std::size_t>(pick(0, keys_.size() - 2))];
    }
    const std::string& taker() { return keys_.back(); }

    std::string quantity() {
        return format_decimal(m_.lot_size * pick(1, 20) + m_.min_quantity - m_.lot_size,
                              m_.qty_scale);
    }

    void place(const std::string& key, Side side, std::optional<Price> price, const char* tif) {
        nlohmann::json body = {{"symbol", m_.symbol},
                               {"side", side == Side::Buy ? "Buy" : "Sell"},
                               {"order_type", price ? "Limit" : "Market"},
                               {"quantity", quantity()}};
        if (price) {
            body["price"] = format_decimal(*price, m_.price_scale);
            body["time_in_force"] = tif;
        }
        const auto answer = rest_.call(http::verb::post, "/v1/order", key, body.dump());
        if (!answer || answer->first != 200) return;
        const auto& order = answer->second;
        const std::string status = order.value("status", "");
        if (status == "Pending" || status == "PartiallyFilled") {
            quotes_.push_back({order.value("order_id", ""), key});
        }
    }

    void quote() {
        const Side side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        const Price offset = pick(1, 12) * m_.tick_size;
        place(maker(), side, side == Side::Buy ? mid_ - offset : mid_ + offset, "GTC");
    }

    void cancel_oldest() {
        if (quotes_.size() < 20) return quote();
        const Quote q = quotes_.front();
        quotes_.pop_front();
        rest_.call(http::verb::delete_, "/v1/order/" + q.order_id, q.key);
    }

    void take() {
        const Side side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        if (pick(0, 2) == 0) return place(taker(), side, std::nullopt, "IOC");
        const Price through = pick(0, 4) * m_.tick_size;
        place(taker(), side, side == Side::Buy ? mid_ + through : mid_ - through, "IOC");
    }

    const MarketSpec& m_;
    std::vector<std::string> keys_;
    RestClient& rest_;
    std::mt19937_64 rng_;
    Price mid_ = 0;
    Price anchor_ = 0;
    std::deque<Quote> quotes_;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<char*> config_args{argv[0]};
    double rate = 8;
    long seconds = 0;
    std::uint64_t seed = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        const auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string{}; };
        if (arg == "--rate") {
            rate = std::stod(value());
        } else if (arg == "--seconds") {
            seconds = std::stol(value());
        } else if (arg == "--seed") {
            seed = std::stoull(value());
        } else if (arg == "--help") {
            std::printf(
                "usage: xtrader-sim [--config FILE] [--host H] [--http-port P] "
                "[--rate ACTIONS_PER_S_PER_MARKET] [--seconds N] [--seed S]\n");
            return 0;
        } else {
            config_args.push_back(argv[i]);  // --config, --host, --http-port: as xtraderd's
        }
    }
    try {
        const auto config =
            app::load_config(static_cast<int>(config_args.size()), config_args.data());
        if (!config || config->accounts.size() < 2) {
            std::fprintf(stderr, "xtrader-sim: the configuration needs at least two accounts\n");
            return 2;
        }
        std::signal(SIGINT, [](int) { stop_requested = true; });
        std::signal(SIGTERM, [](int) { stop_requested = true; });
        std::vector<std::string> keys;
        for (const auto& a : config->accounts) keys.push_back(a.account.api_key);
        const std::string host = config->host == "0.0.0.0" ? "127.0.0.1" : config->host;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        {  // The daemon may still be starting.
            RestClient probe(host, std::to_string(config->http_port));
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            for (;;) {
                const auto ready = probe.call(http::verb::get, "/ready", "");
                if (ready && ready->first == 200) break;
                if (stop_requested || std::chrono::steady_clock::now() > give_up) {
                    std::fprintf(stderr, "xtrader-sim: xtraderd is not answering on %s:%u\n",
                                 host.c_str(), config->http_port);
                    return 1;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }

        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < config->catalog.markets.size(); ++i) {
            threads.emplace_back([&, i] {
                RestClient rest(host, std::to_string(config->http_port));
                MarketSimulation sim(config->catalog.markets[i], keys, rest, seed + i);
                const auto pause = std::chrono::microseconds(static_cast<long>(1e6 / rate));
                while (!stop_requested &&
                       (seconds == 0 || std::chrono::steady_clock::now() < deadline)) {
                    sim.step();
                    std::this_thread::sleep_for(pause);
                }
            });
        }
        spdlog::info("xtrader-sim: {} markets at {} actions/s each against http://{}:{}",
                     config->catalog.markets.size(), rate, host, config->http_port);
        for (auto& t : threads) t.join();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xtrader-sim: %s\n", e.what());
        return 1;
    }
    return 0;
}
