#include "xtrader/store/sqlite_trade_store.hpp"

#include <sqlite3.h>

#include <map>
#include <string>

#include "sqlite.hpp"

namespace xtrader {

namespace {

using store_detail::exec;
using store_detail::open;
using store_detail::Statement;

// Migrations, applied in order; PRAGMA user_version records how many ran. Never edit one that
// has shipped: add the next.
constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE position (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL);
    INSERT INTO position VALUES (1, 0);
    CREATE TABLE executions (
        exec_id INTEGER NOT NULL, is_maker INTEGER NOT NULL, account INTEGER NOT NULL,
        order_id INTEGER NOT NULL, market INTEGER NOT NULL, side INTEGER NOT NULL,
        price INTEGER NOT NULL, quantity INTEGER NOT NULL, fee INTEGER NOT NULL,
        time INTEGER NOT NULL, sequence INTEGER NOT NULL,
        PRIMARY KEY (exec_id, is_maker)) WITHOUT ROWID;
    CREATE INDEX executions_by_account ON executions (account, time);
    CREATE INDEX executions_by_order ON executions (order_id);
    CREATE TABLE orders (
        order_id INTEGER PRIMARY KEY, account INTEGER NOT NULL, market INTEGER NOT NULL,
        side INTEGER NOT NULL, type INTEGER NOT NULL, tif INTEGER NOT NULL,
        post_only INTEGER NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL,
        filled INTEGER NOT NULL, price_volume INTEGER NOT NULL, status INTEGER NOT NULL,
        reason TEXT NOT NULL, client_order_id TEXT NOT NULL, created INTEGER NOT NULL,
        updated INTEGER NOT NULL, sequence INTEGER NOT NULL);
    CREATE INDEX orders_open ON orders (status) WHERE status <= 1;
    )sql",
    // The order-events outbox: every change of every order, in order (the rowid), kept until
    // the Kafka publisher has published it.
    R"sql(
    CREATE TABLE order_events (
        event INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, account INTEGER NOT NULL,
        market INTEGER NOT NULL, side INTEGER NOT NULL, type INTEGER NOT NULL,
        tif INTEGER NOT NULL, post_only INTEGER NOT NULL, price INTEGER NOT NULL,
        quantity INTEGER NOT NULL, filled INTEGER NOT NULL, price_volume INTEGER NOT NULL,
        status INTEGER NOT NULL, reason TEXT NOT NULL, client_order_id TEXT NOT NULL,
        created INTEGER NOT NULL, updated INTEGER NOT NULL, sequence INTEGER NOT NULL);
    CREATE INDEX order_events_by_sequence ON order_events (sequence);
    )sql",
    // GET /v1/orders beyond the API's view: an account's orders, newest first.
    R"sql(
    CREATE INDEX orders_by_account ON orders (account, updated);
    )sql",
    // GET /v1/order?client_order_id= beyond the API's view.
    R"sql(
    CREATE INDEX orders_by_client_id ON orders (account, client_order_id) WHERE client_order_id != '';
    )sql",
    // Stop orders: their stop price, and Untriggered (5) among the open statuses. Order lists
    // go newest first by id, so that they page by id.
    R"sql(
    DROP INDEX orders_by_account;
    CREATE INDEX orders_by_account ON orders (account, order_id);
    ALTER TABLE orders ADD COLUMN stop_price INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE order_events ADD COLUMN stop_price INTEGER NOT NULL DEFAULT 0;
    DROP INDEX orders_open;
    CREATE INDEX orders_open ON orders (status) WHERE status IN (0, 1, 5);
    )sql",
    // The same index without the IN list: SQLite evaluates a partial index's condition on every
    // write of a row, and an IN list of three or more builds a temporary table each time.
    R"sql(
    DROP INDEX orders_open;
    CREATE INDEX orders_open ON orders (status) WHERE status <= 1 OR status = 5;
    )sql",
};

// OrderStatus by value: Pending, PartiallyFilled and Untriggered are open.
static_assert(static_cast<int>(OrderStatus::PartiallyFilled) == 1 &&
              static_cast<int>(OrderStatus::Untriggered) == 5);
// kOpen is the index's condition word for word, so that queries use the index.
constexpr const char* kOpen = "(status <= 1 OR status = 5)";
constexpr const char* kClosed = "status BETWEEN 2 AND 4";

constexpr const char* kOrderColumns =
    "order_id, account, market, side, type, tif, post_only, price, quantity, filled, "
    "price_volume, status, reason, client_order_id, created, updated, sequence, stop_price";
constexpr const char* kOrderValues = "(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)";

std::vector<ExecutionRecord> read_executions(Statement& s) {
    std::vector<ExecutionRecord> out;
    while (s.step()) {
        ExecutionRecord e;
        e.exec_id = static_cast<ExecId>(s.integer(0));
        e.account = static_cast<AccountId>(s.integer(1));
        e.order_id = static_cast<OrderId>(s.integer(2));
        e.market = static_cast<MarketId>(s.integer(3));
        e.side = static_cast<Side>(s.integer(4));
        e.price = s.integer(5);
        e.quantity = s.integer(6);
        e.fee = s.integer(7);
        e.is_maker = s.integer(8) != 0;
        e.time = s.integer(9);
        e.sequence = static_cast<Sequence>(s.integer(10));
        out.push_back(e);
    }
    return out;
}

Statement& bind_order(Statement& s, const OrderRecord& o) {
    return s.bind(1, static_cast<std::int64_t>(o.id))
        .bind(2, std::int64_t{o.account})
        .bind(3, std::int64_t{o.market})
        .bind(4, static_cast<std::int64_t>(o.side))
        .bind(5, static_cast<std::int64_t>(o.type))
        .bind(6, static_cast<std::int64_t>(o.tif))
        .bind(7, std::int64_t{o.post_only})
        .bind(8, o.price)
        .bind(9, o.quantity)
        .bind(10, o.filled)
        .bind(11, o.price_volume)
        .bind(12, static_cast<std::int64_t>(o.status))
        .bind(13, std::string_view(o.reason))
        .bind(14, o.client_order_id.view())
        .bind(15, o.created)
        .bind(16, o.updated)
        .bind(17, static_cast<std::int64_t>(o.sequence))
        .bind(18, o.stop_price);
}

OrderRecord read_order(const Statement& s) {
    OrderRecord o;
    o.id = static_cast<OrderId>(s.integer(0));
    o.account = static_cast<AccountId>(s.integer(1));
    o.market = static_cast<MarketId>(s.integer(2));
    o.side = static_cast<Side>(s.integer(3));
    o.type = static_cast<OrderType>(s.integer(4));
    o.tif = static_cast<TimeInForce>(s.integer(5));
    o.post_only = s.integer(6) != 0;
    o.price = s.integer(7);
    o.quantity = s.integer(8);
    o.filled = s.integer(9);
    o.price_volume = s.integer(10);
    o.status = static_cast<OrderStatus>(s.integer(11));
    o.reason = s.text(12);
    if (auto id = ClientOrderId::parse(s.text(13))) o.client_order_id = *id;
    o.created = s.integer(14);
    o.updated = s.integer(15);
    o.sequence = static_cast<Sequence>(s.integer(16));
    o.stop_price = s.integer(17);
    return o;
}

}  // namespace

SqliteTradeStore::SqliteTradeStore(const std::filesystem::path& file) {
    std::filesystem::create_directories(file.parent_path());
    writer_ = open(file);
    exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA cache_size=-65536;");
    store_detail::migrate(writer_, kMigrations);
    reader_ = open(file);
}

SqliteTradeStore::~SqliteTradeStore() {
    sqlite3_close(reader_);
    sqlite3_close(writer_);
}

Sequence SqliteTradeStore::position() {
    std::lock_guard lock(write_mutex_);
    return store_detail::read_position(writer_);
}

void SqliteTradeStore::write(const TradeBatch& batch) {
    std::lock_guard lock(write_mutex_);
    exec(writer_, "BEGIN IMMEDIATE");
    try {
        Statement execution(writer_,
                            "INSERT INTO executions VALUES (?,?,?,?,?,?,?,?,?,?,?) "
                            "ON CONFLICT DO NOTHING");
        for (const auto& e : batch.executions) {
            execution.bind(1, static_cast<std::int64_t>(e.exec_id))
                .bind(2, std::int64_t{e.is_maker})
                .bind(3, std::int64_t{e.account})
                .bind(4, static_cast<std::int64_t>(e.order_id))
                .bind(5, std::int64_t{e.market})
                .bind(6, static_cast<std::int64_t>(e.side))
                .bind(7, e.price)
                .bind(8, e.quantity)
                .bind(9, e.fee)
                .bind(10, e.time)
                .bind(11, static_cast<std::int64_t>(e.sequence))
                .run();
        }
        // An upsert rewrites the row in place (REPLACE would delete and re-insert it).
        Statement order(writer_, (std::string("INSERT INTO orders (") + kOrderColumns +
                                  ") VALUES " + kOrderValues +
                                  " ON CONFLICT (order_id) DO UPDATE SET price = excluded.price, "
                                  "quantity = excluded.quantity, filled = excluded.filled, "
                                  "price_volume = excluded.price_volume, status = excluded.status, "
                                  "reason = excluded.reason, updated = excluded.updated, "
                                  "sequence = excluded.sequence")
                                     .c_str());
        for (const auto& o : batch.orders) bind_order(order, o).run();
        if (!batch.order_events.empty()) {
            Statement event(writer_, (std::string("INSERT INTO order_events (") + kOrderColumns +
                                      ") VALUES " + kOrderValues)
                                         .c_str());
            for (const auto& o : batch.order_events) bind_order(event, o).run();
        }
        if (batch.published_order_events != 0) {
            Statement prune(writer_, "DELETE FROM order_events WHERE sequence <= ?");
            prune.bind(1, static_cast<std::int64_t>(batch.published_order_events)).run();
        }
        store_detail::write_position(writer_, batch.position);
        exec(writer_, "COMMIT");
    } catch (...) {
        sqlite3_exec(writer_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
    }
}

std::vector<ExecutionRecord> SqliteTradeStore::executions(const ExecutionQuery& q) {
    std::string sql =
        "SELECT exec_id, account, order_id, market, side, price, quantity, fee, is_maker, time, "
        "sequence FROM executions WHERE account = ?1";
    if (q.market) sql += " AND market = ?2";
    if (q.order_id) sql += " AND order_id = ?3";
    if (q.from) sql += " AND time >= ?4";
    if (q.to) sql += " AND time < ?5";
    if (q.after) sql += " AND (time < ?7 OR (time = ?7 AND exec_id < ?8))";
    sql += " ORDER BY time DESC, exec_id DESC LIMIT ?6";
    std::lock_guard lock(read_mutex_);
    Statement s(reader_, sql.c_str());
    s.bind(1, std::int64_t{q.account});
    if (q.market) s.bind(2, std::int64_t{*q.market});
    if (q.order_id) s.bind(3, static_cast<std::int64_t>(*q.order_id));
    if (q.from) s.bind(4, *q.from);
    if (q.to) s.bind(5, *q.to);
    s.bind(6, static_cast<std::int64_t>(q.limit));
    if (q.after) s.bind(7, q.after->time).bind(8, static_cast<std::int64_t>(q.after->id));
    return read_executions(s);
}

std::vector<ExecutionRecord> SqliteTradeStore::trades_since(Timestamp from) {
    std::lock_guard lock(read_mutex_);
    Statement s(reader_,
                "SELECT exec_id, account, order_id, market, side, price, quantity, fee, is_maker, "
                "time, sequence FROM executions WHERE is_maker = 0 AND time >= ?1 "
                "ORDER BY exec_id");
    s.bind(1, from);
    return read_executions(s);
}

std::vector<OrderRecord> SqliteTradeStore::select_orders(const std::string& where,
                                                         std::optional<std::int64_t> parameter) {
    const std::string sql = std::string("SELECT ") + kOrderColumns + " FROM orders " + where;
    std::lock_guard lock(read_mutex_);
    Statement s(reader_, sql.c_str());
    if (parameter) s.bind(1, *parameter);
    std::vector<OrderRecord> out;
    while (s.step()) out.push_back(read_order(s));
    return out;
}

std::vector<OrderRecord> SqliteTradeStore::order_events(Sequence after, Sequence upto) {
    const std::string sql =
        std::string("SELECT ") + kOrderColumns +
        " FROM order_events WHERE sequence > ?1 AND sequence <= ?2 ORDER BY event";
    std::lock_guard lock(read_mutex_);
    Statement s(reader_, sql.c_str());
    s.bind(1, static_cast<std::int64_t>(after)).bind(2, static_cast<std::int64_t>(upto));
    std::vector<OrderRecord> out;
    while (s.step()) out.push_back(read_order(s));
    return out;
}

std::vector<DailyActivity> SqliteTradeStore::activity(Timestamp from, Timestamp to) {
    std::map<std::pair<AccountId, MarketId>, DailyActivity> rows;
    const auto row = [&](std::int64_t account, std::int64_t market) -> DailyActivity& {
        const auto key = std::pair(static_cast<AccountId>(account), static_cast<MarketId>(market));
        DailyActivity& r = rows[key];
        r.account = key.first;
        r.market = key.second;
        return r;
    };
    std::lock_guard lock(read_mutex_);
    // Notional in price x quantity units; the caller knows each market's quote multiplier.
    Statement executions(reader_,
                         "SELECT account, market, count(*), sum(quantity), sum(price * quantity), "
                         "sum(fee) FROM executions WHERE time >= ?1 AND time < ?2 "
                         "GROUP BY account, market");
    executions.bind(1, from).bind(2, to);
    while (executions.step()) {
        DailyActivity& r = row(executions.integer(0), executions.integer(1));
        r.trades = static_cast<std::uint64_t>(executions.integer(2));
        r.volume = executions.integer(3);
        r.notional = executions.integer(4);
        r.fees = executions.integer(5);
    }
    Statement orders(reader_,
                     "SELECT account, market, "
                     "sum(created >= ?1 AND created < ?2 AND status != ?3), "
                     "sum(status = ?4 AND updated >= ?1 AND updated < ?2) FROM orders "
                     "WHERE (created >= ?1 AND created < ?2) OR (updated >= ?1 AND updated < ?2) "
                     "GROUP BY account, market");
    orders.bind(1, from)
        .bind(2, to)
        .bind(3, static_cast<std::int64_t>(OrderStatus::Rejected))
        .bind(4, static_cast<std::int64_t>(OrderStatus::Cancelled));
    while (orders.step()) {
        const auto placed = orders.integer(2), cancelled = orders.integer(3);
        if (placed == 0 && cancelled == 0) continue;
        DailyActivity& r = row(orders.integer(0), orders.integer(1));
        r.orders_placed = static_cast<std::uint64_t>(placed);
        r.orders_cancelled = static_cast<std::uint64_t>(cancelled);
    }
    std::vector<DailyActivity> out;
    out.reserve(rows.size());
    for (auto& [key, r] : rows) out.push_back(r);
    return out;
}

std::optional<OrderRecord> SqliteTradeStore::order(OrderId id) {
    auto found = select_orders("WHERE order_id = ?1", static_cast<std::int64_t>(id));
    if (found.empty()) return std::nullopt;
    return found.front();
}

std::optional<OrderRecord> SqliteTradeStore::order_by_client_id(
    AccountId account, const ClientOrderId& client_order_id) {
    const std::string sql = std::string("SELECT ") + kOrderColumns +
                            " FROM orders WHERE account = ?1 AND client_order_id = ?2 AND "
                            "client_order_id != '' ORDER BY order_id DESC LIMIT 1";
    std::lock_guard lock(read_mutex_);
    Statement s(reader_, sql.c_str());
    s.bind(1, static_cast<std::int64_t>(account)).bind(2, client_order_id.view());
    if (!s.step()) return std::nullopt;
    return read_order(s);
}

std::vector<OrderRecord> SqliteTradeStore::closed_orders(AccountId account,
                                                         std::optional<MarketId> market,
                                                         std::size_t limit,
                                                         std::optional<OrderId> before) {
    // -1: any market; 0: no bound.
    const std::string sql = std::string("SELECT ") + kOrderColumns +
                            " FROM orders WHERE account = ?1 AND " + kClosed +
                            " AND (?2 < 0 OR market = ?2) AND (?4 = 0 OR order_id < ?4) "
                            "ORDER BY order_id DESC LIMIT ?3";
    std::lock_guard lock(read_mutex_);
    Statement s(reader_, sql.c_str());
    s.bind(1, static_cast<std::int64_t>(account))
        .bind(2, market ? static_cast<std::int64_t>(*market) : -1)
        .bind(3, static_cast<std::int64_t>(limit))
        .bind(4, static_cast<std::int64_t>(before.value_or(0)));
    std::vector<OrderRecord> out;
    while (s.step()) out.push_back(read_order(s));
    return out;
}

std::vector<OrderRecord> SqliteTradeStore::open_orders() {
    return select_orders(std::string("WHERE ") + kOpen);
}

std::vector<OrderRecord> SqliteTradeStore::finished_orders(std::size_t limit) {
    return select_orders(std::string("WHERE ") + kClosed + " ORDER BY order_id DESC LIMIT ?1",
                         static_cast<std::int64_t>(limit));
}

}  // namespace xtrader
