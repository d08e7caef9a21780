#include "xtrader/consumers/exchange_sync.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "xtrader/consumers/alert_codec.hpp"
#include "xtrader/core/clock.hpp"
#include "xtrader/core/decimal.hpp"
#include "xtrader/core/thread_name.hpp"
#include "xtrader/json/reader.hpp"

namespace xtrader {

using surveillance::Alert;
using surveillance::ReferencePrice;

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;

// A venue's answer is a ticker or a list of a few hundred: more is not one.
constexpr std::size_t kMaxBody = 4 << 20;

// A price as a venue writes it (a JSON number or a decimal string, no exponent) at our scale,
// rounded half up; false when it is not one, or not positive.
bool venue_price(const JsonValue* value, int scale, Price& out) {
    if (value == nullptr ||
        (!value->is(JsonValue::Kind::Number) && !value->is(JsonValue::Kind::String))) {
        return false;
    }
    std::string_view text = value->text;
    const auto dot = text.find('.');
    const std::string_view digits = text.substr(0, dot);
    std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
    const auto all_digits = [](std::string_view part) {
        return std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    };
    // Plain decimals only: no sign, no exponent.
    if (digits.empty() || !all_digits(digits) || !all_digits(fraction)) return false;
    const bool round_up = fraction.size() > static_cast<std::size_t>(scale) &&
                          fraction[static_cast<std::size_t>(scale)] >= '5';
    if (fraction.size() > static_cast<std::size_t>(scale)) fraction = fraction.substr(0, scale);
    std::string kept(digits);
    if (!fraction.empty()) kept += "." + std::string(fraction);
    if (parse_decimal(kept, scale, out) != DecimalError::Ok) return false;
    if (round_up) ++out;
    return out > 0;
}

struct Url {
    std::string host, port, path;
};

std::optional<Url> parse_url(std::string_view url) {
    constexpr std::string_view kScheme = "http://";
    if (!url.starts_with(kScheme)) return std::nullopt;
    url.remove_prefix(kScheme.size());
    const auto slash = url.find('/');
    const auto authority = url.substr(0, slash);
    Url out;
    out.path = slash == std::string_view::npos ? "" : std::string(url.substr(slash));
    if (out.path.ends_with('/')) out.path.pop_back();
    const auto colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    out.port = colon == std::string_view::npos ? "80" : std::string(authority.substr(colon + 1));
    if (out.host.empty() || out.port.empty()) return std::nullopt;
    return out;
}

// One GET with a deadline over the whole exchange (the stream's timer covers connecting,
// writing and reading); the body of a 200, else nullopt with `error`.
std::optional<std::string> get(const Url& url, const std::string& target,
                               std::chrono::milliseconds timeout, std::string& error) {
    net::io_context io;
    beast::error_code ec;
    // Runs one asynchronous step to its end.
    const auto step = [&](const char* what) {
        io.restart();
        io.run();
        if (ec) error = std::string(what) + ": " + ec.message();
        return !ec;
    };
    net::ip::tcp::resolver resolver(io);
    net::ip::tcp::resolver::results_type endpoints;
    resolver.async_resolve(url.host, url.port,
                           [&](beast::error_code e, net::ip::tcp::resolver::results_type r) {
                               ec = e;
                               endpoints = std::move(r);
                           });
    if (!step("resolve")) return std::nullopt;
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.async_connect(endpoints, [&](beast::error_code e, const auto&) { ec = e; });
    if (!step("connect")) return std::nullopt;
    http::request<http::empty_body> request{http::verb::get, target, 11};
    request.set(http::field::host, url.host);
    request.set(http::field::user_agent, "xtraderd exchange-sync");
    request.set(http::field::accept, "application/json");
    http::async_write(stream, request, [&](beast::error_code e, std::size_t) { ec = e; });
    if (!step("send")) return std::nullopt;
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(kMaxBody);
    http::async_read(stream, buffer, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    if (!step("read")) return std::nullopt;
    if (parser.get().result() != http::status::ok) {
        error = "status " + std::to_string(parser.get().result_int());
        return std::nullopt;
    }
    return std::move(parser.get().body());
}

}  // namespace

std::optional<VenueKind> parse_venue_kind(std::string_view text) noexcept {
    if (text == "upbit") return VenueKind::Upbit;
    if (text == "binance") return VenueKind::Binance;
    if (text == "generic") return VenueKind::Generic;
    return std::nullopt;
}

std::vector<std::string> ticker_targets(const VenueConfig& venue, std::string_view base_path) {
    const std::string base(base_path);
    switch (venue.kind) {
        case VenueKind::Upbit: {
            std::string target = base + "/v1/ticker?markets=";
            for (const auto& [market, symbol] : venue.symbols) {
                if (!target.ends_with('=')) target += ',';
                target += symbol;
            }
            return {target};
        }
        case VenueKind::Binance: {
            std::vector<std::string> targets;
            for (const auto& [market, symbol] : venue.symbols) {
                targets.push_back(base + "/api/v3/ticker/bookTicker?symbol=" + symbol);
            }
            return targets;
        }
        case VenueKind::Generic: return {base.empty() ? "/" : base};
    }
    return {};
}

bool parse_tickers(const MarketCatalog& catalog, const VenueConfig& venue, std::uint32_t index,
                   std::string_view body, Timestamp time, std::vector<ReferencePrice>& out,
                   std::string& error) {
    auto json = parse_json_document(body, error);
    if (!json) return false;
    // One ticker (Binance's per symbol) or a list of them.
    std::vector<const JsonValue*> tickers;
    if (json->is(JsonValue::Kind::Array)) {
        for (const auto& item : json->items) tickers.push_back(&item);
    } else if (json->is(JsonValue::Kind::Object)) {
        tickers.push_back(&*json);
    } else {
        error = "not a ticker nor a list of tickers";
        return false;
    }
    const char* symbol_key = venue.kind == VenueKind::Upbit ? "market" : "symbol";
    for (const JsonValue* ticker : tickers) {
        const JsonValue* symbol =
            ticker->is(JsonValue::Kind::Object) ? ticker->find(symbol_key) : nullptr;
        if (symbol == nullptr || !symbol->is(JsonValue::Kind::String)) {
            error = std::string("a ticker without its \"") + symbol_key + "\"";
            return false;
        }
        for (const auto& [market, theirs] : venue.symbols) {
            if (theirs != symbol->text) continue;
            const int scale = catalog.markets[market].price_scale;
            ReferencePrice r{time, index, market, 0, 0, 0};
            bool ok = true;
            switch (venue.kind) {
                case VenueKind::Upbit:
                    ok = venue_price(ticker->find("trade_price"), scale, r.last);
                    break;
                case VenueKind::Binance:
                    ok = venue_price(ticker->find("bidPrice"), scale, r.bid) &&
                         venue_price(ticker->find("askPrice"), scale, r.ask);
                    break;
                case VenueKind::Generic:
                    for (const auto& [key, price] :
                         {std::pair{"last", &r.last}, {"bid", &r.bid}, {"ask", &r.ask}}) {
                        if (ticker->find(key) != nullptr) {
                            ok = ok && venue_price(ticker->find(key), scale, *price);
                        }
                    }
                    ok = ok && (r.last != 0 || (r.bid != 0 && r.ask != 0));
                    break;
            }
            if (!ok || (r.bid != 0 && r.ask != 0 && r.bid > r.ask)) {
                error = "the ticker of " + symbol->text + " has no valid price";
                return false;
            }
            out.push_back(r);
        }
    }
    return true;
}

// ---- the poller --------------------------------------------------------------------------------

namespace {

surveillance::VenueOptions detector_options(const ExchangeSyncOptions& o) {
    surveillance::VenueOptions options;
    for (const auto& v : o.venues) {
        options.venues.push_back(v.name);
        options.venue_fee_ppm.push_back(v.fee_ppm);
    }
    options.deviation_bps = o.deviation_bps;
    options.deviation_for = o.deviation_for.count() * kNanosPerMilli;
    return options;
}

}  // namespace

ExchangeSync::ExchangeSync(const MarketCatalog& catalog, ExchangeSyncOptions options,
                           const MarketData& ours, AlertStore& store,
                           std::unique_ptr<KeyedSink> alerts_topic, AlertListener listener)
    : catalog_(catalog),
      options_(std::move(options)),
      ours_(ours),
      store_(store),
      alerts_topic_(std::move(alerts_topic)),
      listener_(std::move(listener)),
      detector_(catalog, detector_options(options_)) {
    for (const auto& v : options_.venues) figures_.push_back({v.name});
}

ExchangeSync::~ExchangeSync() {
    stop();
}

void ExchangeSync::start() {
    if (idle()) {
        spdlog::info("exchange-sync: no venue configured; idle");
        return;
    }
    thread_ = std::thread([this] {
        name_this_thread("exchange-sync");
        run();
    });
}

void ExchangeSync::stop() {
    {
        std::lock_guard lock(wake_mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

std::vector<VenueFigures> ExchangeSync::figures() const {
    std::lock_guard lock(mutex_);
    return figures_;
}

void ExchangeSync::run() {
    std::vector<Alert> alerts;
    for (;;) {
        const auto next = std::chrono::steady_clock::now() + options_.poll_interval;
        for (std::size_t v = 0; v < options_.venues.size(); ++v) poll(v, alerts);
        keep(alerts);
        std::unique_lock lock(wake_mutex_);
        if (wake_.wait_until(lock, next, [this] { return stopping_; })) return;
    }
}

void ExchangeSync::poll(std::size_t v, std::vector<Alert>& alerts) {
    const VenueConfig& venue = options_.venues[v];
    const Timestamp now = SystemClock{}.now();
    std::vector<ReferencePrice> prices;
    std::string error;
    if (const auto url = parse_url(venue.url); !url) {
        error = "url: not http://host[:port][/path]";
    } else {
        for (const auto& target : ticker_targets(venue, url->path)) {
            const auto body = get(*url, target, options_.timeout, error);
            if (!body || !parse_tickers(catalog_, venue, static_cast<std::uint32_t>(v), *body, now,
                                        prices, error)) {
                break;
            }
        }
    }
    // Our side as it stands now, then each of the venue's prices (all of a poll, or none).
    if (!error.empty()) prices.clear();
    for (const auto& r : prices) {
        const auto stats = ours_.statistics(r.market, now);
        surveillance::ExecutionEvent last;
        last.market = r.market;
        last.price = stats.last;
        detector_.on_execution(last, alerts);
        detector_.on_touch({0, now, r.market, stats.bid.value_or(0), stats.ask.value_or(0), 0, 0},
                           alerts);
        detector_.on_reference(r, alerts);
    }
    std::lock_guard lock(mutex_);
    VenueFigures& f = figures_[v];
    ++f.polls;
    if (!error.empty()) {
        if (f.errors++ % 60 == 0 || f.last_error.empty()) {
            spdlog::warn("exchange-sync: {} ({}): {}", venue.name, venue.url, error);
        }
        f.last_error = std::move(error);
        f.deviation_bps.clear();
        detector_.forget(static_cast<std::uint32_t>(v));
        return;
    }
    if (!f.last_error.empty()) spdlog::info("exchange-sync: {} answers again", venue.name);
    f.last_error.clear();
    f.deviation_bps.clear();
    for (const auto& [market, symbol] : venue.symbols) {
        if (const auto bps = detector_.deviation_bps(static_cast<std::uint32_t>(v), market)) {
            f.deviation_bps.emplace_back(catalog_.markets[market].symbol, *bps);
        }
    }
}

void ExchangeSync::keep(std::vector<Alert>& alerts) {
    if (alerts.empty()) return;
    try {
        store_.add(alerts);
        if (alerts_topic_) {
            std::string payload;
            for (const auto& alert : alerts) {
                payload.clear();
                encode_alert(catalog_, alert, payload);
                alerts_topic_->send(catalog_.markets[alert.market].symbol, payload);
            }
            alerts_topic_->flush();
        }
    } catch (const std::exception& e) {
        // Kept for the next poll: the store keeps each once.
        spdlog::warn("exchange-sync: {} alerts not stored yet: {}", alerts.size(), e.what());
        return;
    }
    if (listener_) {
        for (const auto& alert : alerts) listener_(alert);
    }
    alerts.clear();
}

}  // namespace xtrader
