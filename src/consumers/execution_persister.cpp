#include "xtrader/consumers/execution_persister.hpp"

#include <hiredis/hiredis.h>
#include <spdlog/spdlog.h>

#include <unordered_map>

#include "xtrader/bus/execution_codec.hpp"
#include "xtrader/store/postgres_store.hpp"

namespace xtrader {

namespace {

struct Entry {
    std::string id;
    std::optional<std::string> data;  // nullopt: the entry was trimmed from the stream
    std::uint64_t deliveries = 1;
};

const redisReply* element(const redisReply& reply, std::size_t i) {
    return reply.type == REDIS_REPLY_ARRAY && i < reply.elements ? reply.element[i] : nullptr;
}

// Appends the entries of an XREADGROUP / XAUTOCLAIM entry list: [[id, [field, value, ...]], ...].
void parse_entries(const redisReply* list, std::vector<Entry>& out) {
    if (list == nullptr || list->type != REDIS_REPLY_ARRAY) return;
    for (std::size_t i = 0; i < list->elements; ++i) {
        const redisReply* id = element(*list->element[i], 0);
        const redisReply* fields = element(*list->element[i], 1);
        if (id == nullptr) continue;
        Entry entry{std::string(reply_text(*id)), std::nullopt};
        if (fields != nullptr && fields->type == REDIS_REPLY_ARRAY) {
            for (std::size_t f = 0; f + 1 < fields->elements; f += 2) {
                if (reply_text(*fields->element[f]) == "data") {
                    entry.data = std::string(reply_text(*fields->element[f + 1]));
                }
            }
            if (!entry.data) entry.data = std::string();  // present but without data: malformed
        }
        out.push_back(std::move(entry));
    }
}

TradeRecord to_record(const ExecutionMessage& m) {
    const Trade& t = m.trade;
    return TradeRecord{t.exec_id,        m.sequence,        m.time_ms,        t.market,
                       t.price,          t.quantity,        t.taker_side,     t.taker_order_id,
                       t.maker_order_id, t.taker_account,   t.maker_account,  t.taker_fee,
                       t.maker_fee,      t.taker_remaining, t.maker_remaining};
}

}  // namespace

class ExecutionPersister::Consumer {
  public:
    Consumer(ExecutionPersister& owner, std::string name)
        : owner_(owner),
          options_(owner.options_),
          name_(std::move(name)),
          redis_(RedisEndpoint{options_.redis.host, options_.redis.port,
                               options_.redis.timeout + options_.block}),
          store_(owner.catalog_, options_.postgres) {}

    void run() {
        // A restarted consumer first finishes what it had been given before (its own pending
        // entries), then takes new ones; claims from dead consumers are checked meanwhile.
        // A batch that failed is retried from memory, not read again: every read counts as a
        // delivery, and deliveries should count consumers dying on an entry, not outages.
        bool own_pending = true;
        bool failing = false;
        auto next_claim = std::chrono::steady_clock::now();
        while (!owner_.stopping_.load(std::memory_order_relaxed)) {
            try {
                if (!group_ready_) {
                    PostgresStore::migrate(options_.postgres);
                    create_group();
                }
                if (!unfinished_.empty()) process({});
                if (std::chrono::steady_clock::now() >= next_claim) {
                    claim();
                    next_claim = std::chrono::steady_clock::now() +
                                 std::max<std::chrono::milliseconds>(
                                     options_.claim_idle / 4, std::chrono::milliseconds(250));
                }
                auto entries = read(own_pending ? "0" : ">");
                if (own_pending && entries.empty()) own_pending = false;
                process(std::move(entries));
                if (failing) {
                    failing = false;
                    owner_.failing_.fetch_sub(1);
                    spdlog::info("persister {}: storing again", name_);
                }
            } catch (const std::exception& e) {
                owner_.failures_.fetch_add(1, std::memory_order_relaxed);
                if (!failing) {
                    failing = true;
                    owner_.failing_.fetch_add(1);
                    spdlog::error("persister {}: {}; retrying", name_, e.what());
                }
                pause();
            }
        }
        if (failing) owner_.failing_.fetch_sub(1);
    }

  private:
    void pause() {
        const auto until = std::chrono::steady_clock::now() + options_.retry;
        while (std::chrono::steady_clock::now() < until &&
               !owner_.stopping_.load(std::memory_order_relaxed)) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }

    void create_group() {
        const auto reply =
            redis_.command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
        if (is_error(*reply) && reply_text(*reply).find("BUSYGROUP") == std::string_view::npos) {
            throw RedisError("XGROUP CREATE: " + std::string(reply_text(*reply)));
        }
        group_ready_ = true;
    }

    std::vector<Entry> read(std::string_view from) {
        const std::string count = std::to_string(options_.batch);
        const std::string block = std::to_string(options_.block.count());
        const auto reply =
            redis_.command({"XREADGROUP", "GROUP", options_.group, name_, "COUNT", count, "BLOCK",
                            block, "STREAMS", options_.stream, from});
        if (is_error(*reply)) {
            // The stream or the group is gone (a Redis that lost its data): create them again.
            if (reply_text(*reply).find("NOGROUP") != std::string_view::npos) group_ready_ = false;
            throw RedisError("XREADGROUP: " + std::string(reply_text(*reply)));
        }
        std::vector<Entry> entries;
        if (const redisReply* stream = element(*reply, 0))
            parse_entries(element(*stream, 1), entries);
        return entries;
    }

    // Takes over entries other consumers left idle for claim_idle, and handles them.
    void claim() {
        const std::string idle = std::to_string(options_.claim_idle.count());
        const std::string count = std::to_string(options_.batch);
        std::string start = "0-0";
        for (int round = 0; round < 100 && !owner_.stopping_.load(); ++round) {
            const auto reply = redis_.command({"XAUTOCLAIM", options_.stream, options_.group, name_,
                                               idle, start, "COUNT", count});
            if (is_error(*reply)) {
                if (reply_text(*reply).find("NOGROUP") != std::string_view::npos) return;
                throw RedisError("XAUTOCLAIM: " + std::string(reply_text(*reply)));
            }
            std::vector<Entry> entries;
            parse_entries(element(*reply, 1), entries);
            if (!entries.empty()) {
                spdlog::warn("persister {}: claimed {} entries idle for over {} ms", name_,
                             entries.size(), options_.claim_idle.count());
                count_deliveries(entries);
                process(std::move(entries));
            }
            const redisReply* next = element(*reply, 0);
            if (next == nullptr || reply_text(*next) == "0-0") return;
            start = std::string(reply_text(*next));
        }
    }

    void count_deliveries(std::vector<Entry>& entries) {
        const auto reply =
            redis_.command({"XPENDING", options_.stream, options_.group, entries.front().id,
                            entries.back().id, std::to_string(entries.size() * 2), name_});
        if (is_error(*reply)) return;
        std::unordered_map<std::string_view, std::uint64_t> deliveries;
        for (std::size_t i = 0; i < reply->elements; ++i) {
            const redisReply* id = element(*reply->element[i], 0);
            const redisReply* count = element(*reply->element[i], 3);
            if (id != nullptr && count != nullptr) {
                deliveries[reply_text(*id)] = static_cast<std::uint64_t>(count->integer);
            }
        }
        for (auto& entry : entries) {
            if (const auto it = deliveries.find(entry.id); it != deliveries.end()) {
                entry.deliveries = it->second;
            }
        }
    }

    // Handles the entries (or, given none, the batch that failed last) and forgets them only
    // once they are acknowledged.
    void process(std::vector<Entry> entries) {
        if (!entries.empty()) unfinished_ = std::move(entries);
        handle(unfinished_);
        unfinished_.clear();
    }

    // Stores the batch in one transaction, sets aside what can never be stored, then XACKs.
    void handle(const std::vector<Entry>& entries) {
        if (entries.empty()) return;
        std::vector<TradeRecord> rows;
        rows.reserve(entries.size());
        std::vector<std::pair<const Entry*, std::string>> dead;
        std::string error;
        for (const auto& entry : entries) {
            if (entry.deliveries > options_.max_deliveries) {
                dead.emplace_back(&entry, "delivered " + std::to_string(entry.deliveries) +
                                              " times without being acknowledged");
            } else if (!entry.data) {
                dead.emplace_back(&entry, "trimmed from the stream before it was stored");
            } else if (const auto m = decode_execution(owner_.catalog_, *entry.data, error)) {
                rows.push_back(to_record(*m));
            } else {
                dead.emplace_back(&entry, "malformed: " + error);
            }
        }
        owner_.stored_.fetch_add(store_.insert(rows), std::memory_order_relaxed);
        for (const auto& [entry, reason] : dead) {
            spdlog::error("persister {}: entry {} to {}: {}", name_, entry->id,
                          options_.dead_letters, reason);
            const auto reply = redis_.command({"XADD", options_.dead_letters, "*", "id", entry->id,
                                               "reason", reason, "data", entry->data.value_or("")});
            if (is_error(*reply)) throw RedisError("XADD " + options_.dead_letters);
            owner_.dead_lettered_.fetch_add(1, std::memory_order_relaxed);
        }
        std::vector<std::string_view> ack{"XACK", options_.stream, options_.group};
        for (const auto& entry : entries) ack.push_back(entry.id);
        const auto reply = redis_.command(ack);
        if (is_error(*reply)) throw RedisError("XACK: " + std::string(reply_text(*reply)));
        owner_.acked_.fetch_add(static_cast<std::uint64_t>(reply->integer),
                                std::memory_order_relaxed);
    }

    ExecutionPersister& owner_;
    const PersisterOptions& options_;
    std::string name_;
    RedisConnection redis_;
    PostgresStore store_;
    bool group_ready_ = false;
    std::vector<Entry> unfinished_;
};

ExecutionPersister::ExecutionPersister(const MarketCatalog& catalog, PersisterOptions options,
                                       std::vector<std::string> consumer_names)
    : catalog_(catalog), options_(std::move(options)), names_(std::move(consumer_names)) {}

ExecutionPersister::~ExecutionPersister() {
    stop();
}

void ExecutionPersister::start() {
    stopping_.store(false);
    for (const auto& name : names_) {
        threads_.emplace_back([this, name] {
            Consumer consumer(*this, name);
            consumer.run();
        });
    }
}

void ExecutionPersister::stop() {
    stopping_.store(true);
    for (auto& t : threads_) t.join();
    threads_.clear();
}

}  // namespace xtrader
