#include "xtrader/consumers/market_data_cache.hpp"

#include <hiredis/hiredis.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace xtrader {

namespace {

std::string joined(std::initializer_list<std::int64_t> numbers) {
    std::string out;
    for (const auto n : numbers) {
        if (!out.empty()) out += ' ';
        out += std::to_string(n);
    }
    return out;
}

// The integers of a space-separated member; false when there are not exactly `count`.
bool split(std::string_view text, std::int64_t* out, std::size_t count) {
    std::size_t taken = 0;
    const char* p = text.data();
    const char* end = p + text.size();
    while (p < end && taken < count) {
        const auto [next, ec] = std::from_chars(p, end, out[taken]);
        if (ec != std::errc{}) return false;
        ++taken;
        p = next;
        if (p < end && *p == ' ') ++p;
    }
    return taken == count && p == end;
}

void check(const RedisReply& reply) {
    if (reply && is_error(*reply))
        throw std::runtime_error("redis: " + std::string(reply_text(*reply)));
}

}  // namespace

MarketDataCache::MarketDataCache(const MarketCatalog& catalog, RedisEndpoint endpoint,
                                 std::string prefix)
    : catalog_(catalog), redis_(std::move(endpoint)), prefix_(std::move(prefix)) {}

std::string MarketDataCache::key(MarketId market, std::string_view what) const {
    std::string out = prefix_;
    out += ':';
    out += catalog_.markets[market].symbol;
    out += ':';
    out += what;
    return out;
}

void MarketDataCache::write(const MarketData& data, const std::vector<MarketChanges>& changes,
                            std::string_view topic, const std::vector<PartitionOffset>& offsets) {
    pipeline_.clear();
    std::size_t commands = 0;
    const auto add = [&](std::initializer_list<std::string_view> args) {
        append_command(pipeline_, std::span<const std::string_view>(args.begin(), args.size()));
        ++commands;
    };
    add({"MULTI"});
    for (const auto& c : changes) {
        if (!c.trades.empty()) {
            // Every interval's candles from the first one this batch touched on.
            for (std::size_t i = 0; i < kIntervals.size(); ++i) {
                const auto& spec = kIntervals[i];
                const Timestamp from = interval_start(spec.interval, c.trades.front().time);
                const std::string candles =
                    key(c.market, std::string("candles:") + std::string(spec.name));
                const std::string from_score = std::to_string(from / kMinute);
                add({"ZREMRANGEBYSCORE", candles, from_score, "+inf"});
                for (const auto& k : data.candles(c.market, spec.interval, spec.keep, from)) {
                    const std::string score = std::to_string(k.open_time / kMinute);
                    const std::string member =
                        joined({k.open_time, k.open, k.high, k.low, k.close, k.volume,
                                static_cast<std::int64_t>(k.trade_count)});
                    add({"ZADD", candles, score, member});
                }
                const std::string keep = std::to_string(-static_cast<std::int64_t>(spec.keep) - 1);
                add({"ZREMRANGEBYRANK", candles, "0", keep});
            }
            // A sorted set by exec id: writing a batch again (a lost EXEC reply) adds nothing.
            // Only the last kTradesKept can stay (a rebuild brings a market's whole history).
            const std::string trades = key(c.market, "trades");
            const std::size_t skipped = c.trades.size() > MarketData::kTradesKept
                                            ? c.trades.size() - MarketData::kTradesKept
                                            : 0;
            for (const auto& t : std::span(c.trades).subspan(skipped)) {
                const std::string exec_id = std::to_string(t.exec_id);
                const std::string member = joined({static_cast<std::int64_t>(t.exec_id), t.price,
                                                   t.quantity, t.taker_side == Side::Buy ? 0 : 1,
                                                   t.time, static_cast<std::int64_t>(t.sequence)});
                add({"ZADD", trades, exec_id, member});
            }
            const std::string keep =
                std::to_string(-static_cast<std::int64_t>(MarketData::kTradesKept) - 1);
            add({"ZREMRANGEBYRANK", trades, "0", keep});
        }
        for (const auto& d : c.book) {
            const std::string side = key(c.market, d.side == Side::Buy ? "bids" : "asks");
            const std::string price = std::to_string(d.price);
            if (d.volume == 0) {
                add({"HDEL", side, price});
            } else {
                add({"HSET", side, price, joined({d.volume, d.order_count})});
            }
        }
        const AppliedMark mark = data.applied(c.market);
        const std::string last_exec_id = std::to_string(mark.last_exec_id);
        const std::string book_sequence = std::to_string(mark.book_sequence);
        const std::string book_version = std::to_string(mark.book_version);
        const std::string last = std::to_string(mark.last);
        add({"HSET", key(c.market, "state"), "last_exec_id", last_exec_id, "book_sequence",
             book_sequence, "book_version", book_version, "last", last});
    }
    const std::string offsets_key = prefix_ + ":offsets:" + std::string(topic);
    for (const auto& o : offsets) {
        add({"HSET", offsets_key, std::to_string(o.partition), std::to_string(o.next)});
    }
    add({"EXEC"});
    redis_.append_formatted(pipeline_);
    RedisReply exec;
    for (std::size_t i = 0; i < commands; ++i) {
        exec = redis_.reply();
        check(exec);  // MULTI's OK, each QUEUED, then EXEC's array
    }
    if (!exec || exec->type != REDIS_REPLY_ARRAY) throw std::runtime_error("redis: EXEC refused");
    for (std::size_t i = 0; i < exec->elements; ++i) {
        if (exec->element[i]->type == REDIS_REPLY_ERROR) {
            throw std::runtime_error("redis: " + std::string(reply_text(*exec->element[i])));
        }
    }
}

std::vector<PartitionOffset> MarketDataCache::offsets(std::string_view topic) {
    const auto reply = redis_.command({"HGETALL", prefix_ + ":offsets:" + std::string(topic)});
    check(reply);
    std::vector<PartitionOffset> out;
    for (std::size_t i = 0; reply && i + 1 < reply->elements; i += 2) {
        std::int64_t partition = 0;
        std::int64_t next = 0;
        if (split(reply_text(*reply->element[i]), &partition, 1) &&
            split(reply_text(*reply->element[i + 1]), &next, 1)) {
            out.push_back({static_cast<std::int32_t>(partition), next});
        }
    }
    return out;
}

void MarketDataCache::clear(MarketId market) {
    std::vector<std::string> keys{"DEL", key(market, "trades"), key(market, "bids"),
                                  key(market, "asks"), key(market, "state")};
    for (const auto& spec : kIntervals) {
        keys.push_back(key(market, std::string("candles:") + std::string(spec.name)));
    }
    const std::vector<std::string_view> args(keys.begin(), keys.end());
    check(redis_.command(args));
}

std::optional<AppliedMark> MarketDataCache::applied(MarketId market) {
    const auto state = redis_.command({"HGETALL", key(market, "state")});
    check(state);
    if (!state || state->type != REDIS_REPLY_ARRAY || state->elements == 0) return std::nullopt;
    AppliedMark out;
    for (std::size_t i = 0; i + 1 < state->elements; i += 2) {
        const std::string_view field = reply_text(*state->element[i]);
        std::int64_t value = 0;
        if (!split(reply_text(*state->element[i + 1]), &value, 1)) continue;
        if (field == "last_exec_id") out.last_exec_id = static_cast<ExecId>(value);
        if (field == "book_sequence") out.book_sequence = static_cast<Sequence>(value);
        if (field == "book_version") out.book_version = static_cast<std::uint64_t>(value);
        if (field == "last") out.last = value;
    }
    return out;
}

std::optional<MarketSnapshot> MarketDataCache::read(MarketId market) {
    const auto applied = this->applied(market);
    if (!applied) return std::nullopt;
    MarketSnapshot out;
    out.applied = *applied;
    for (std::size_t i = 0; i < kIntervals.size(); ++i) {
        const std::string candles =
            key(market, std::string("candles:") + std::string(kIntervals[i].name));
        const auto rows = redis_.command({"ZRANGE", candles, "0", "-1"});
        check(rows);
        for (std::size_t r = 0; rows && r < rows->elements; ++r) {
            std::int64_t f[7];
            if (!split(reply_text(*rows->element[r]), f, 7)) continue;
            out.candles[i].push_back({f[0], f[0] + kIntervals[i].length - 1, f[1], f[2], f[3], f[4],
                                      f[5], static_cast<std::uint64_t>(f[6])});
        }
    }
    const auto trades = redis_.command({"ZREVRANGE", key(market, "trades"), "0", "-1"});
    check(trades);
    for (std::size_t r = 0; trades && r < trades->elements; ++r) {
        std::int64_t f[6];
        if (!split(reply_text(*trades->element[r]), f, 6)) continue;
        out.trades.push_back({static_cast<ExecId>(f[0]), f[1], f[2],
                              f[3] == 0 ? Side::Buy : Side::Sell, f[4],
                              static_cast<Sequence>(f[5])});
    }
    for (const auto side : {Side::Buy, Side::Sell}) {
        const auto levels =
            redis_.command({"HGETALL", key(market, side == Side::Buy ? "bids" : "asks")});
        check(levels);
        auto& into = side == Side::Buy ? out.bids : out.asks;
        for (std::size_t r = 0; levels && r + 1 < levels->elements; r += 2) {
            std::int64_t price = 0;
            std::int64_t f[2];
            if (!split(reply_text(*levels->element[r]), &price, 1) ||
                !split(reply_text(*levels->element[r + 1]), f, 2)) {
                continue;
            }
            into.push_back({price, f[0], static_cast<std::uint32_t>(f[1])});
        }
        // Best first, as MarketData keeps them.
        std::sort(into.begin(), into.end(), [side](const auto& a, const auto& b) {
            return side == Side::Buy ? a.price > b.price : a.price < b.price;
        });
    }
    return out;
}

}  // namespace xtrader
