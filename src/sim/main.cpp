// xtrader-sim: a moving market for a new user to look at, and a load generator. Over REST it
// runs, per market, the demo accounts of the daemon's configuration quoting both sides around a
// mid price that drifts and, now and then, one of them crossing the spread.
//
// --scenario NAME (repeatable) adds, in the first market, a behaviour market surveillance should
// catch:
//   wash-ring    the first two accounts trade the same coins back and forth with each other
//   spoofer      the third account layers large bids near the touch, sells, cancels the bids
//   whale        the last account places one order hundreds of times the usual size
//   large-trade  the first two accounts cross 1.5 units of the base asset between them
// each repeated every 30 s, the first once the normal market has run for --scenario-after
// seconds (20).
//
// usage: xtrader-sim [--config FILE] [--host H] [--http-port P] [--rate ACTIONS_PER_S_PER_MARKET]
//                    [--seconds N (0: until stopped)] [--seed S] [--scenario NAME]...
//                    [--scenario-after SECONDS]
#include <spdlog/spdlog.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <map>
#include <optional>
#include <random>
#include <thread>

#include "xtrader/config/config_file.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

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

    // The status and JSON body (an empty object when it is not JSON); nullopt when the daemon
    // cannot be reached.
    std::optional<std::pair<unsigned, JsonValue>> call(http::verb verb, const std::string& target,
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
                std::string error;
                auto json = parse_json_object(res.body(), error, JsonNesting::Any);
                return std::make_pair(res.result_int(),
                                      json ? std::move(*json) : JsonValue{JsonValue::Kind::Object});
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

enum class Scenario : std::uint8_t { WashRing, Spoofer, Whale, LargeTrade };

std::optional<Scenario> parse_scenario(std::string_view name) {
    if (name == "wash-ring") return Scenario::WashRing;
    if (name == "spoofer") return Scenario::Spoofer;
    if (name == "whale") return Scenario::Whale;
    if (name == "large-trade") return Scenario::LargeTrade;
    return std::nullopt;
}

// A decimal of a JSON value (a number or a decimal string) at `scale`; 0 when it is neither.
std::int64_t decimal_of(const JsonValue* value, int scale) {
    std::int64_t out = 0;
    if (value == nullptr || parse_decimal(value->text, scale, out) != DecimalError::Ok) return 0;
    return out;
}

// One market's simulated traders.
class MarketSimulation {
  public:
    MarketSimulation(const MarketSpec& market, std::vector<std::string> keys, RestClient& rest,
                     std::uint64_t seed)
        : m_(market), keys_(std::move(keys)), rest_(rest), rng_(seed) {
        // Start from the last trade, else the middle of the book, else a plausible price.
        mid_ = m_.max_price / 200 / m_.tick_size * m_.tick_size;
        if (auto stats = rest_.call(http::verb::get, "/api/v1/statistics/" + m_.symbol, "")) {
            const JsonValue* last = stats->second.find("last_price");
            if (last != nullptr && last->is(JsonValue::Kind::Number)) {
                Price p = 0;
                if (parse_decimal(last->text, m_.price_scale, p) == DecimalError::Ok && p > 0) {
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

    // One round of the scenario's behaviour, between two steps of the normal market.
    void act(Scenario scenario) {
        switch (scenario) {
            case Scenario::WashRing: return wash_ring();
            case Scenario::Spoofer: return spoof();
            case Scenario::Whale: return whale();
            case Scenario::LargeTrade: return large_trade();
        }
    }

  private:
    std::int64_t pick(std::int64_t lo, std::int64_t hi) {
        return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng_);
    }
    // Any account may quote or cross, as in a market of many traders: none of them takes part
    // in most trades, nor trades mostly with one other.
    const std::string& trader() {
        return keys_[static_cast<std::size_t>(pick(0, keys_.size() - 1))];
    }

    Quantity quantity() { return m_.lot_size * pick(1, 20) + m_.min_quantity - m_.lot_size; }

    // The id of the order when it rests (open after its placing); empty otherwise.
    std::string send(const std::string& key, Side side, std::optional<Price> price, const char* tif,
                     Quantity quantity) {
        std::string body;
        JsonWriter json(body);
        json.begin_object().key("symbol").string(m_.symbol);
        json.key("side").string(to_string(side));
        json.key("order_type").string(price ? "Limit" : "Market");
        json.key("quantity").decimal_string(quantity, m_.qty_scale);
        if (price) {
            json.key("price").decimal_string(*price, m_.price_scale);
            json.key("time_in_force").string(tif);
        }
        json.end_object();
        const auto answer = rest_.call(http::verb::post, "/v1/order", key, body);
        if (!answer || answer->first != 200) return {};
        const auto* status = answer->second.find("status");
        const auto* id = answer->second.find("order_id");
        if (status != nullptr && id != nullptr &&
            (status->text == "Pending" || status->text == "PartiallyFilled")) {
            return id->text;
        }
        return {};
    }

    void place(const std::string& key, Side side, std::optional<Price> price, const char* tif) {
        if (auto id = send(key, side, price, tif, quantity()); !id.empty()) {
            quotes_.push_back({std::move(id), key});
        }
    }

    void cancel(const std::string& key, const std::string& order_id) {
        rest_.call(http::verb::delete_, "/v1/order/" + order_id, key);
    }

    // The best bid and ask as the market data shows them (0: none).
    std::pair<Price, Price> touch() {
        // The market data follows the journal a moment behind the last answer.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        const auto book = rest_.call(http::verb::get, "/api/v1/orderbook/" + m_.symbol, "");
        if (!book) return {0, 0};
        const auto best = [&](const char* side) -> Price {
            const auto* levels = book->second.find(side);
            if (levels == nullptr || levels->items.empty()) return 0;
            return decimal_of(levels->items.front().find("price"), m_.price_scale);
        };
        return {best("bids"), best("asks")};
    }

    // `seller` sells `quantity` to `buyer`, at a price inside the spread so that neither meets
    // anyone else; false when the spread is one tick (no room).
    bool cross(const std::string& seller, const std::string& buyer, Quantity quantity) {
        const auto [bid, ask] = touch();
        if (bid == 0 || ask == 0 || ask - bid < 2 * m_.tick_size) return false;
        const Price price = bid + m_.tick_size;
        const auto resting = send(seller, Side::Sell, price, "GTC", quantity);
        if (resting.empty()) return false;
        send(buyer, Side::Buy, price, "IOC", quantity);
        cancel(seller, resting);  // whatever the buyer did not take
        return true;
    }

    // Two accounts hand the same coins back and forth: ten times a round, ten lots a trade.
    void wash_ring() {
        int done = 0;
        for (int attempt = 0; done < 10 && attempt < 100; ++attempt) {
            const bool out = done % 2 == 0;
            if (cross(keys_[out ? 0 : 1], keys_[out ? 1 : 0], m_.lot_size * 100)) {
                ++done;
            } else {
                step();  // the book moves on and a spread opens
            }
        }
    }

    // Four bids of 400 lots (the usual order is about 10) a few ticks behind the best bid, a
    // small sell on the other side, the bids cancelled unfilled half a second later.
    void spoof() {
        const std::string& spoofer = keys_[std::min<std::size_t>(2, keys_.size() - 1)];
        const auto [bid, ask] = touch();
        if (bid == 0) return;
        std::vector<std::string> layered;
        for (int i = 0; i < 4; ++i) {
            auto id =
                send(spoofer, Side::Buy, bid - (1 + i) * m_.tick_size, "GTC", m_.lot_size * 400);
            if (!id.empty()) layered.push_back(std::move(id));
        }
        send(spoofer, Side::Sell, std::nullopt, "IOC", m_.min_quantity);
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        for (const auto& id : layered) cancel(spoofer, id);
    }

    // One bid of 5,000 lots far below the market, cancelled a moment later.
    void whale() {
        const auto [bid, ask] = touch();
        if (bid == 0) return;
        const auto id =
            send(keys_.back(), Side::Buy, std::max(m_.tick_size, bid - 100 * m_.tick_size), "GTC",
                 m_.lot_size * 5000);
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        if (!id.empty()) cancel(keys_.back(), id);
    }

    // 1.5 units of the base asset (1.5 BTC: some 75,000,000 KRW) change hands in one execution;
    // the direction alternates so that balances last.
    void large_trade() {
        const bool out = (large_trades_++ % 2) == 0;
        for (int attempt = 0; attempt < 20; ++attempt) {
            if (cross(keys_[out ? 0 : 1], keys_[out ? 1 : 0], m_.lot_size * 15'000)) return;
            step();
        }
    }

    void quote() {
        const Side side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        const Price offset = pick(1, 12) * m_.tick_size;
        place(trader(), side, side == Side::Buy ? mid_ - offset : mid_ + offset, "GTC");
    }

    void cancel_oldest() {
        if (quotes_.size() < 20) return quote();
        const Quote q = quotes_.front();
        quotes_.pop_front();
        cancel(q.key, q.order_id);
    }

    void take() {
        const Side side = pick(0, 1) == 0 ? Side::Buy : Side::Sell;
        const std::string& taker = trader();
        if (pick(0, 2) == 0) return place(taker, side, std::nullopt, "IOC");
        const Price through = pick(0, 4) * m_.tick_size;
        place(taker, side, side == Side::Buy ? mid_ + through : mid_ - through, "IOC");
    }

    const MarketSpec& m_;
    std::vector<std::string> keys_;
    RestClient& rest_;
    std::mt19937_64 rng_;
    Price mid_ = 0;
    Price anchor_ = 0;
    std::deque<Quote> quotes_;
    std::uint64_t large_trades_ = 0;
};

// Where the daemon listens and who trades: the daemon's own configuration file and the same
// overrides (XTRADER_CONFIG, XTRADER_HOST, XTRADER_HTTP_PORT, then the flags).
struct Target {
    std::string host = "127.0.0.1";
    unsigned short http_port = 7000;
    MarketCatalog catalog;
    std::vector<std::string> keys;
};

Target read_target(const std::map<std::string, std::string>& flags) {
    // A flag, else the environment, else the file (when given), as xtraderd reads them.
    const auto setting = [&](const char* flag, const char* env, const config::ConfigFile* file,
                             const char* dotted) -> std::optional<std::string> {
        if (const auto it = flags.find(flag); it != flags.end()) return it->second;
        if (const char* value = std::getenv(env)) return std::string(value);
        return file != nullptr ? file->value(dotted) : std::nullopt;
    };
    const auto file = config::ConfigFile::load(
        setting("--config", "XTRADER_CONFIG", nullptr, "").value_or("config/xtrader.toml"));
    Target target;
    target.host = setting("--host", "XTRADER_HOST", &file, "server.host").value_or(target.host);
    if (const auto port = setting("--http-port", "XTRADER_HTTP_PORT", &file, "server.http_port")) {
        target.http_port = config::parse_number<unsigned short>(*port, "http_port");
    }
    if (target.host == "0.0.0.0") target.host = "127.0.0.1";
    target.catalog = file.markets();
    for (const auto& account : file.accounts()) {
        if (!account.api_key.empty()) target.keys.push_back(account.api_key);
    }
    return target;
}

}  // namespace

int main(int argc, char** argv) {
    std::map<std::string, std::string> flags;
    double rate = 8;
    long seconds = 0;
    std::uint64_t seed = 1;
    std::vector<Scenario> scenarios;
    long scenario_after = 20;
    for (int i = 1; i < argc; ++i) {
        // --name VALUE or --name=VALUE, as xtraderd reads its flags.
        std::string arg = argv[i];
        std::optional<std::string> inline_value;
        if (const auto eq = arg.find('='); arg.starts_with("--") && eq != std::string::npos) {
            inline_value = arg.substr(eq + 1);
            arg.resize(eq);
        }
        const auto value = [&] {
            if (inline_value) return *inline_value;
            return i + 1 < argc ? std::string(argv[++i]) : std::string{};
        };
        if (arg == "--rate") {
            rate = std::stod(value());
        } else if (arg == "--seconds") {
            seconds = std::stol(value());
        } else if (arg == "--seed") {
            seed = std::stoull(value());
        } else if (arg == "--scenario") {
            const auto name = value();
            const auto parsed = parse_scenario(name);
            if (!parsed) {
                std::fprintf(stderr,
                             "xtrader-sim: --scenario %s: not wash-ring, spoofer, whale or "
                             "large-trade\n",
                             name.c_str());
                return 2;
            }
            scenarios.push_back(*parsed);
        } else if (arg == "--scenario-after") {
            scenario_after = std::stol(value());
        } else if (arg == "--config" || arg == "--host" || arg == "--http-port") {
            flags[arg] = value();
        } else if (arg.starts_with("--") && arg != "--help") {
            // Another of xtraderd's settings (scripts/run.sh passes the daemon's flags to both):
            // not the simulator's concern. Each takes a value, inline or as the next argument.
            value();
        } else {
            std::printf(
                "usage: xtrader-sim [--config FILE] [--host H] [--http-port P] "
                "[--rate ACTIONS_PER_S_PER_MARKET] [--seconds N] [--seed S] [--scenario NAME]... "
                "[--scenario-after SECONDS]\n");
            return arg == "--help" ? 0 : 2;
        }
    }
    try {
        const Target target = read_target(flags);
        if (target.keys.size() < 2) {
            std::fprintf(stderr,
                         "xtrader-sim: the configuration needs at least two accounts with an "
                         "api_key\n");
            return 2;
        }
        std::signal(SIGINT, [](int) { stop_requested = true; });
        std::signal(SIGTERM, [](int) { stop_requested = true; });
        const std::string& host = target.host;
        const auto& keys = target.keys;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
        {  // The daemon may still be starting.
            RestClient probe(host, std::to_string(target.http_port));
            const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(60);
            for (;;) {
                const auto ready = probe.call(http::verb::get, "/ready", "");
                if (ready && ready->first == 200) break;
                if (stop_requested || std::chrono::steady_clock::now() > give_up) {
                    std::fprintf(stderr, "xtrader-sim: xtraderd is not answering on %s:%u\n",
                                 host.c_str(), target.http_port);
                    return 1;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(200));
            }
        }

        std::vector<std::thread> threads;
        for (std::size_t i = 0; i < target.catalog.markets.size(); ++i) {
            threads.emplace_back([&, i] {
                RestClient rest(host, std::to_string(target.http_port));
                MarketSimulation sim(target.catalog.markets[i], keys, rest, seed + i);
                const auto pause = std::chrono::microseconds(static_cast<long>(1e6 / rate));
                // The scenarios play in the first market, once the normal market has a history.
                const auto played = i == 0 ? scenarios : std::vector<Scenario>{};
                auto next_act =
                    std::chrono::steady_clock::now() + std::chrono::seconds(scenario_after);
                while (!stop_requested &&
                       (seconds == 0 || std::chrono::steady_clock::now() < deadline)) {
                    sim.step();
                    if (!played.empty() && std::chrono::steady_clock::now() >= next_act) {
                        for (const auto scenario : played) sim.act(scenario);
                        next_act = std::chrono::steady_clock::now() + std::chrono::seconds(30);
                    }
                    std::this_thread::sleep_for(pause);
                }
            });
        }
        spdlog::info("xtrader-sim: {} markets at {} actions/s each against http://{}:{}",
                     target.catalog.markets.size(), rate, host, target.http_port);
        for (auto& t : threads) t.join();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "xtrader-sim: %s\n", e.what());
        return 1;
    }
    return 0;
}
