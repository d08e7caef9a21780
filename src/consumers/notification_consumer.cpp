#include "xtrader/consumers/notification_consumer.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "xtrader/consumers/market_data_sink.hpp"
#include "xtrader/consumers/order_event_codec.hpp"
#include "xtrader/core/thread_name.hpp"
#include "xtrader/json/reader.hpp"

namespace xtrader {

namespace {

// Acknowledged together: one frame for this many deliveries, or when the queue is idle.
constexpr std::size_t kAckEvery = 256;
constexpr auto kPoll = std::chrono::milliseconds(100);

std::optional<MarketId> market_of(const MarketCatalog& catalog, std::string_view symbol) {
    const auto* market = catalog.find(symbol);
    if (market == nullptr) return std::nullopt;
    return static_cast<MarketId>(market - catalog.markets.data());
}

}  // namespace

NotificationConsumer::NotificationConsumer(const MarketCatalog& catalog,
                                           NotificationConsumerOptions options, MarketData& mirror,
                                           MarketDataCache& cache, GatewayListener& listener)
    : catalog_(catalog),
      options_(std::move(options)),
      queue_("ws-gateway." + options_.gateway),
      retry_queue_(queue_ + ".retry"),
      dead_letter_queue_(options_.exchange + ".dlq"),
      mirror_(mirror),
      cache_(cache),
      listener_(listener),
      consumer_(options_.endpoint),
      publisher_(options_.endpoint),
      markets_(catalog.markets.size()) {
    figures_.queue = queue_;
}

NotificationConsumer::~NotificationConsumer() {
    stop();
}

void NotificationConsumer::start() {
    for (MarketId m = 0; m < markets_.size(); ++m) {
        try {
            if (auto snapshot = cache_.read(m)) mirror_.restore(m, *snapshot);
        } catch (const std::exception& e) {
            // The first deltas show the gap, and the market is restored once Redis answers.
            spdlog::warn("ws-gateway: the market-data cache: {}", e.what());
        }
    }
    thread_ = std::thread([this] {
        name_this_thread("notifications");
        run();
    });
}

void NotificationConsumer::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

GatewayFigures NotificationConsumer::figures() const {
    std::lock_guard lock(figures_mutex_);
    return figures_;
}

void NotificationConsumer::fail(const std::string& what) {
    std::lock_guard lock(figures_mutex_);
    if (figures_.connected) ++figures_.reconnects;
    figures_.connected = false;
    figures_.last_error = what;
}

void NotificationConsumer::connect() {
    consumer_.close();
    publisher_.close();
    // The exchange first: a gateway may start before the exchange's publisher ever connected.
    consumer_.declare_exchange(options_.exchange, "topic");
    RabbitMqQueueOptions main{.durable = true, .expires = options_.queue_expires};
    main.dead_letter_exchange = "";  // the default exchange: straight to the retry queue
    main.dead_letter_routing_key = retry_queue_;
    consumer_.declare_queue(queue_, main);
    RabbitMqQueueOptions retry{
        .durable = true, .expires = options_.queue_expires, .message_ttl = options_.retry_delay};
    retry.dead_letter_exchange = "";
    retry.dead_letter_routing_key = queue_;
    consumer_.declare_queue(retry_queue_, retry);
    consumer_.declare_queue(dead_letter_queue_, {.durable = true});
    for (const char* pattern :
         {"execution.*", "orderbook.*", "order.*", "ticker.*", "candle.*.*"}) {
        consumer_.bind_queue(queue_, options_.exchange, pattern);
    }
    consumer_.consume(queue_, options_.prefetch);
    publisher_.open();
    unacked_ = 0;
    unacked_count_ = 0;
    std::lock_guard lock(figures_mutex_);
    figures_.connected = true;
    figures_.last_error.clear();
}

void NotificationConsumer::run() {
    bool connected = false;
    while (!stopping_) {
        try {
            if (!connected) {
                connect();
                connected = true;
                spdlog::info("ws-gateway: consuming {} from {}", queue_, options_.exchange);
                last_check_ = {};  // messages lost while it was away show in the cache
            }
            const auto message = consumer_.next(kPoll);
            if (message) {
                take(*message);
                if (unacked_count_ >= kAckEvery) {
                    consumer_.ack(unacked_, true);
                    unacked_count_ = 0;
                }
            } else if (unacked_count_ != 0) {
                consumer_.ack(unacked_, true);
                unacked_count_ = 0;
            }
            check_cache(!message);
        } catch (const RabbitMqError& e) {
            if (connected) spdlog::warn("ws-gateway: {}", e.what());
            fail(e.what());
            connected = false;
            consumer_.close();
            publisher_.close();
            // Unacknowledged deliveries come again to the next connection; apply() drops them.
            for (auto waited = std::chrono::milliseconds(0);
                 waited < options_.probe_interval && !stopping_; waited += kPoll) {
                std::this_thread::sleep_for(kPoll);
            }
        }
    }
    if (connected && unacked_count_ != 0) {
        try {
            consumer_.ack(unacked_, true);
        } catch (const RabbitMqError&) {
            // They come again to the gateway's next run, which drops them.
        }
    }
}

void NotificationConsumer::take(const RabbitMqMessage& message) {
    {
        std::lock_guard lock(figures_mutex_);
        ++figures_.delivered;
    }
    const std::string error = handle(message);
    if (error.empty()) {
        unacked_ = message.delivery_tag;
        ++unacked_count_;
        return;
    }
    // Settle what came before it first: a reject does not settle the deliveries before it.
    if (unacked_count_ != 0) {
        consumer_.ack(unacked_, true);
        unacked_count_ = 0;
    }
    if (message.rejections >= options_.max_retries) {
        dead_letter(message, error);
        consumer_.ack(message.delivery_tag);
        return;
    }
    spdlog::warn("ws-gateway: {} (routing key {}), retried in {} ms: {}", queue_,
                 message.routing_key, options_.retry_delay.count(), error);
    consumer_.reject(message.delivery_tag);
    std::lock_guard lock(figures_mutex_);
    ++figures_.retries;
}

void NotificationConsumer::dead_letter(const RabbitMqMessage& message, const std::string& reason) {
    spdlog::error("ws-gateway: {}: a message with routing key {} failed {} times, to {}: {}",
                  queue_, message.routing_key, message.rejections + 1, dead_letter_queue_, reason);
    const std::string attempts = std::to_string(message.rejections + 1);
    const RabbitMqConnection::Header headers[] = {{"x-reason", reason},
                                                  {"x-routing-key", message.routing_key},
                                                  {"x-gateway", options_.gateway},
                                                  {"x-attempts", attempts}};
    publisher_.publish("", dead_letter_queue_, message.body, RabbitMqDelivery::Persistent, headers);
    publisher_.wait_confirms();
    std::lock_guard lock(figures_mutex_);
    ++figures_.dead_letters;
}

std::string NotificationConsumer::handle(const RabbitMqMessage& message) {
    const std::string_view key = message.routing_key;
    const auto dot = key.find('.');
    const auto kind = key.substr(0, dot);
    std::string error;
    if (kind == "order") {
        auto change = decode_order_event(catalog_, message.body, error);
        if (!change) return error;
        const auto mark = std::make_pair(change->order.sequence, change->change);
        auto [it, fresh] = orders_seen_.try_emplace(change->order.account, mark);
        if (!fresh) {
            if (mark <= it->second) return {};  // a replay after an outage: passed on before
            it->second = mark;
        }
        listener_.on_order(change->order);
        return {};
    }
    if (kind == "ticker" || kind == "candle") return relay(key, message.body);
    if (kind != "execution" && kind != "orderbook") {
        return "unknown routing key " + std::string(key);
    }
    auto decoded = decode_market_data(catalog_, message.body, error);
    if (!decoded) return error;
    const auto market =
        market_of(catalog_, key.substr(dot == std::string_view::npos ? key.size() : dot + 1));
    const MarketId carried = std::visit(
        [](const auto& m) -> MarketId {
            if constexpr (std::is_same_v<std::decay_t<decltype(m)>, ExecutionMessage>) {
                return m.trade.market;
            } else {
                return m.market;
            }
        },
        *decoded);
    if (!market || *market != carried ||
        (kind == "execution") != std::holds_alternative<ExecutionMessage>(*decoded)) {
        return "the routing key " + std::string(key) + " does not match the message";
    }
    apply(*market, std::move(*decoded));
    return {};
}

std::string NotificationConsumer::relay(std::string_view key, const std::string& body) {
    // ticker.SYM -> ticker:SYM; candle.SYM.INTERVAL -> candles:SYM:INTERVAL
    const bool ticker = key.starts_with("ticker.");
    std::string_view symbol = key.substr(key.find('.') + 1);
    std::string channel;
    if (ticker) {
        channel = "ticker:" + std::string(symbol);
    } else {
        const auto dot = symbol.rfind('.');
        if (dot == std::string_view::npos || !parse_interval(symbol.substr(dot + 1))) {
            return "no such interval in " + std::string(key);
        }
        channel = "candles:" + std::string(symbol.substr(0, dot)) + ":" +
                  std::string(symbol.substr(dot + 1));
        symbol = symbol.substr(0, dot);
    }
    if (!market_of(catalog_, symbol)) return "no such market in " + std::string(key);
    std::string error;
    const auto parsed = parse_json_object(body, error, JsonNesting::Any);
    if (!parsed) return error;
    const auto* named = parsed->find("channel");
    if (named == nullptr || !named->is(JsonValue::Kind::String) || named->text != channel) {
        return "the message is not one of " + channel;
    }
    listener_.on_relay(channel, body);
    return {};
}

void NotificationConsumer::hold(MarketState& state, MarketDataMessage message) {
    state.held.push_back(std::move(message));
    // Beyond the bound the oldest go: the cache must then reach the first one kept.
    if (state.held.size() > options_.resync_hold) state.held.pop_front();
}

void NotificationConsumer::begin_resync(MarketState& state) {
    state.resyncing = true;
    state.need_version = 0;
    // Executions waiting for a book change that may be lost go first; those the cache has
    // come from it, and are dropped here when applied again.
    for (auto& waiting : state.waiting) hold(state, std::move(waiting));
    state.waiting.clear();
}

void NotificationConsumer::apply(MarketId market, MarketDataMessage message) {
    MarketState& state = markets_[market];
    if (state.resyncing) return hold(state, std::move(message));
    // An execution waits for its command's book change (every trade changes the book), whose
    // version shows whether messages were lost before it: an execution passed on first would
    // hide the trades lost before it from the resynchronisation.
    if (std::holds_alternative<ExecutionMessage>(message)) {
        state.waiting.push_back(std::move(message));
        return;
    }
    const auto& delta = std::get<BookDeltaMessage>(message);
    const auto have = mirror_.applied(market);
    // Version 0: a journal written before versions, which cannot show a gap.
    if (delta.version != 0 && delta.sequence > have.book_sequence &&
        delta.version > have.book_version + 1) {
        spdlog::info("ws-gateway: {} book version {} after {}: resynchronising from the cache",
                     catalog_.markets[market].symbol, delta.version, have.book_version);
        begin_resync(state);
        hold(state, std::move(message));
        resync(market);
        return;
    }
    for (const auto& waiting : state.waiting) apply_market_data(mirror_, waiting, trades_, book_);
    state.waiting.clear();
    apply_market_data(mirror_, message, trades_, book_);
}

bool NotificationConsumer::resync(MarketId market) {
    MarketState& state = markets_[market];
    // The cache must hold every change before the first delta held, or what the check saw.
    std::uint64_t needed = state.need_version;
    for (const auto& m : state.held) {
        if (const auto* d = std::get_if<BookDeltaMessage>(&m); d != nullptr && d->version != 0) {
            needed = std::max(needed, d->version - 1);
            break;
        }
    }
    std::optional<MarketSnapshot> snapshot;
    try {
        snapshot = cache_.read(market);
    } catch (const std::exception& e) {
        spdlog::warn("ws-gateway: the market-data cache: {}", e.what());
        return false;
    }
    if (!snapshot || snapshot->applied.book_version < needed) return false;  // it is behind
    // The trades the mirror lacks, oldest first (the cache keeps the newest first), through
    // apply(): announced to the clients and counted in the candles, each once.
    const ExecId seen = mirror_.applied(market).last_exec_id;
    for (auto it = snapshot->trades.rbegin(); it != snapshot->trades.rend(); ++it) {
        if (it->exec_id <= seen) continue;
        trades_.assign(1, *it);
        mirror_.apply(market, it->sequence, it->time, trades_, {});
    }
    mirror_.restore_book(market, *snapshot);
    listener_.on_book_resync(market);
    {
        std::lock_guard lock(figures_mutex_);
        ++figures_.resyncs;
    }
    state.resyncing = false;
    state.need_version = 0;
    state.suspect_version = 0;
    auto held = std::move(state.held);
    state.held.clear();
    for (auto& m : held) apply(market, std::move(m));
    return true;
}

void NotificationConsumer::check_cache(bool queue_idle) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_check_ < options_.probe_interval) return;
    last_check_ = now;
    for (MarketId m = 0; m < markets_.size(); ++m) {
        MarketState& state = markets_[m];
        if (state.resyncing) {
            resync(m);
            continue;
        }
        if (!queue_idle) continue;
        // Nothing waits in the queue, yet the cache has had book changes the mirror lacks since
        // the last check: their messages were lost (or are later than a probe interval, and the
        // restore merely comes first).
        try {
            const auto cached = cache_.applied(m);
            const auto have = mirror_.applied(m);
            if (!cached || cached->book_sequence <= have.book_sequence) {
                state.suspect_version = 0;
            } else if (state.suspect_version == 0 || have.book_version >= state.suspect_version) {
                state.suspect_version = cached->book_version;
            } else {
                begin_resync(state);
                state.need_version = state.suspect_version;
                resync(m);
            }
        } catch (const std::exception& e) {
            spdlog::warn("ws-gateway: the market-data cache: {}", e.what());
        }
    }
    const auto depth = publisher_.queue_depth(queue_);
    std::lock_guard lock(figures_mutex_);
    figures_.queue_depth = depth;
}

}  // namespace xtrader
