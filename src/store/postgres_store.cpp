#include "xtrader/store/postgres_store.hpp"

#include <charconv>
#include <pqxx/pqxx>

#include "id_lists.hpp"
#include "xtrader/core/decimal.hpp"

namespace xtrader {

namespace {

struct Migration {
    const char* name;  // NNN_what.sql; NNN is the version
    const char* sql;
};

// Generated from sql/*.sql at configure time, in file name order.
constexpr Migration kMigrations[] = {
#include "postgres_migrations.inc"
};

// A string literal for SQL (standard_conforming_strings is on since PostgreSQL 9.1): only the
// quote needs doubling. For configured names; values from clients are numbers by then.
std::string literal(std::string_view text) {
    std::string out = "'";
    for (const char c : text) {
        out += c;
        if (c == '\'') out += '\'';
    }
    out += '\'';
    return out;
}

// An execution's columns but persisted_at (the database's time of the insert).
const std::vector<std::string> kExecutionColumns = {
    "exec_id",       "sequence",        "symbol",          "price",
    "quantity",      "taker_side",      "taker_order_id",  "maker_order_id",
    "taker_account", "maker_account",   "taker_fee",       "maker_fee",
    "fee_asset",     "taker_remaining", "maker_remaining", "transaction_time"};
const std::string kExecutionColumnList = [] {
    std::string out;
    for (const auto& c : kExecutionColumns) out += (out.empty() ? "" : ", ") + c;
    return out;
}();

// The rows into `table` (executions or a table of its columns) through COPY.
void copy_executions(pqxx::work& tx, const char* table, const MarketCatalog& catalog,
                     std::span<const TradeRecord> trades) {
    pqxx::stream_to copy(tx, table, kExecutionColumns);
    for (const auto& t : trades) {
        const MarketSpec& m = catalog.markets[t.market];
        const AssetSpec& fee_asset = catalog.assets[m.quote];
        copy << std::make_tuple(t.exec_id, t.sequence, m.symbol,
                                format_decimal(t.price, m.price_scale),
                                format_decimal(t.quantity, m.qty_scale),
                                std::string(t.taker_side == Side::Buy ? "Buy" : "Sell"),
                                t.taker_order_id, t.maker_order_id, t.taker_account,
                                t.maker_account, format_decimal(t.taker_fee, fee_asset.scale),
                                format_decimal(t.maker_fee, fee_asset.scale), fee_asset.name,
                                format_decimal(t.taker_remaining, m.qty_scale),
                                format_decimal(t.maker_remaining, m.qty_scale), t.time_ms);
    }
    copy.complete();
}

int version_of(std::string_view name) {
    int version = 0;
    std::from_chars(name.data(), name.data() + name.size(), version);
    return version;
}

// Runs `work` and turns libpqxx's failures into StoreError; a broken connection is dropped so
// that the next call reconnects.
template <typename Work>
auto guarded(std::unique_ptr<PostgresStore::Session>* session, const char* what, Work&& work) {
    try {
        return work();
    } catch (const pqxx::broken_connection& e) {
        if (session != nullptr) session->reset();
        throw StoreError(std::string("postgres ") + what + ": connection lost: " + e.what());
    } catch (const pqxx::failure& e) {
        if (session != nullptr) session->reset();
        throw StoreError(std::string("postgres ") + what + ": " + e.what());
    } catch (const pqxx::usage_error& e) {
        throw StoreError(std::string("postgres ") + what + ": " + e.what());
    }
}

}  // namespace

struct PostgresStore::Session {
    explicit Session(const std::string& dsn) : connection(dsn) {}
    pqxx::connection connection;
    bool staging_created = false;  // executions_staging, a temporary table of this connection
};

PostgresStore::PostgresStore(const MarketCatalog& catalog, std::string dsn)
    : catalog_(catalog), dsn_(std::move(dsn)) {}

PostgresStore::~PostgresStore() = default;

PostgresStore::Session& PostgresStore::session() {
    if (!session_) session_ = std::make_unique<Session>(dsn_);
    return *session_;
}

void PostgresStore::migrate(const std::string& dsn) {
    guarded(nullptr, "migrate", [&] {
        pqxx::connection connection(dsn);
        pqxx::work tx(connection);
        // Any number is fine as long as it is the project's own: serialises concurrent starts.
        tx.exec("SELECT pg_advisory_xact_lock(7000700)");
        tx.exec(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
        const auto applied = tx.exec("SELECT version FROM schema_migrations");
        for (const auto& migration : kMigrations) {
            const int version = version_of(migration.name);
            bool done = false;
            for (const auto& row : applied) done = done || row[0].as<int>() == version;
            if (done) continue;
            tx.exec(migration.sql);
            tx.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", version,
                           std::string(migration.name));
        }
        tx.commit();
    });
}

std::size_t PostgresStore::insert(std::span<const TradeRecord> trades) {
    if (trades.empty()) return 0;
    std::lock_guard lock(mutex_);
    return guarded(&session_, "insert", [&] {
        Session& session = this->session();
        // COPY (no SQL to parse per value) straight into the table: a batch is new as a rule.
        // One holding an execution already stored (an entry delivered again after a consumer
        // died between commit and XACK) fails the COPY on the primary key, and is then copied
        // into a table of this connection's own and moved over in one statement that skips
        // what is there: an entry delivered twice stores once.
        try {
            pqxx::work tx(session.connection);
            copy_executions(tx, "executions", catalog_, trades);
            tx.commit();
            return trades.size();
        } catch (const pqxx::unique_violation&) {
        }
        if (!session.staging_created) {
            pqxx::nontransaction create(session.connection);
            create.exec(
                "CREATE TEMP TABLE IF NOT EXISTS executions_staging ON COMMIT DELETE ROWS "
                "AS SELECT " +
                kExecutionColumnList + " FROM executions WITH NO DATA");
            session.staging_created = true;
        }
        pqxx::work tx(session.connection);
        copy_executions(tx, "executions_staging", catalog_, trades);
        const auto result = tx.exec("INSERT INTO executions (" + kExecutionColumnList +
                                    ") SELECT " + kExecutionColumnList +
                                    " FROM executions_staging ON CONFLICT (exec_id) DO NOTHING");
        tx.commit();
        return static_cast<std::size_t>(result.affected_rows());
    });
}

std::vector<ExecutionRecord> PostgresStore::executions(const ExecutionQuery& query) {
    std::lock_guard lock(mutex_);
    return guarded(&session_, "read executions", [&] {
        pqxx::read_transaction tx(session().connection);
        const std::string account = std::to_string(query.account);
        std::string filter;
        if (query.market)
            filter += " AND symbol = " + literal(catalog_.markets[*query.market].symbol);
        if (query.order_id) {
            const auto id = std::to_string(*query.order_id);
            filter += " AND (taker_order_id = " + id + " OR maker_order_id = " + id + ")";
        }
        if (query.from)
            filter += " AND transaction_time >= " + std::to_string(to_millis(*query.from));
        if (query.to) filter += " AND transaction_time < " + std::to_string(to_millis(*query.to));
        if (query.after) {
            const auto ms = std::to_string(to_millis(query.after->time));
            filter += " AND (transaction_time < " + ms + " OR (transaction_time = " + ms +
                      " AND exec_id < " + std::to_string(query.after->id) + "))";
        }
        // Each side separately, so that each uses its account index.
        const std::string columns =
            "exec_id, sequence, symbol, price, quantity, taker_side, taker_order_id, "
            "maker_order_id, taker_account, maker_account, taker_fee, maker_fee, transaction_time";
        const std::string limit = std::to_string(query.limit);
        const auto rows = tx.exec(
            "(SELECT " + columns + " FROM executions WHERE taker_account = " + account + filter +
            " ORDER BY transaction_time DESC, exec_id DESC LIMIT " + limit +
            ") UNION ALL (SELECT " + columns + " FROM executions WHERE maker_account = " + account +
            filter + " ORDER BY transaction_time DESC, exec_id DESC LIMIT " + limit +
            ") ORDER BY transaction_time DESC, exec_id DESC LIMIT " + limit);
        std::vector<ExecutionRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            const MarketSpec* m = catalog_.find(row[2].c_str());
            if (m == nullptr) continue;  // a market no longer configured
            const int fee_scale = catalog_.assets[m->quote].scale;
            const bool taker = row[8].as<AccountId>() == query.account;
            const Side taker_side =
                std::string_view(row[5].c_str()) == "Buy" ? Side::Buy : Side::Sell;
            ExecutionRecord e;
            e.exec_id = row[0].as<ExecId>();
            e.sequence = row[1].as<Sequence>();
            e.market = static_cast<MarketId>(m - catalog_.markets.data());
            parse_decimal(row[3].c_str(), m->price_scale, e.price);
            parse_decimal(row[4].c_str(), m->qty_scale, e.quantity);
            e.account = query.account;
            e.is_maker = !taker;
            e.side = taker ? taker_side : (taker_side == Side::Buy ? Side::Sell : Side::Buy);
            e.order_id = taker ? row[6].as<OrderId>() : row[7].as<OrderId>();
            parse_decimal(taker ? row[10].c_str() : row[11].c_str(), fee_scale, e.fee);
            e.time = row[12].as<Timestamp>() * kNanosPerMilli;
            out.push_back(e);
        }
        return out;
    });
}

std::vector<TradeRecord> PostgresStore::trades(MarketId market, ExecId after, std::size_t limit) {
    const MarketSpec& m = catalog_.markets[market];
    const int fee_scale = catalog_.assets[m.quote].scale;
    std::lock_guard lock(mutex_);
    return guarded(&session_, "read a market's trades", [&] {
        pqxx::read_transaction tx(session().connection);
        const auto rows = tx.exec(
            "SELECT exec_id, sequence, price, quantity, taker_side, taker_order_id, "
            "maker_order_id, taker_account, maker_account, taker_fee, maker_fee, "
            "taker_remaining, maker_remaining, transaction_time FROM executions WHERE symbol = " +
            literal(m.symbol) + " AND exec_id > " + std::to_string(after) +
            " ORDER BY exec_id LIMIT " + std::to_string(limit));
        std::vector<TradeRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            TradeRecord t;
            t.exec_id = row[0].as<ExecId>();
            t.sequence = row[1].as<Sequence>();
            t.market = market;
            parse_decimal(row[2].c_str(), m.price_scale, t.price);
            parse_decimal(row[3].c_str(), m.qty_scale, t.quantity);
            t.taker_side = std::string_view(row[4].c_str()) == "Buy" ? Side::Buy : Side::Sell;
            t.taker_order_id = row[5].as<OrderId>();
            t.maker_order_id = row[6].as<OrderId>();
            t.taker_account = row[7].as<AccountId>();
            t.maker_account = row[8].as<AccountId>();
            parse_decimal(row[9].c_str(), fee_scale, t.taker_fee);
            parse_decimal(row[10].c_str(), fee_scale, t.maker_fee);
            parse_decimal(row[11].c_str(), m.qty_scale, t.taker_remaining);
            parse_decimal(row[12].c_str(), m.qty_scale, t.maker_remaining);
            t.time_ms = row[13].as<Timestamp>();
            out.push_back(t);
        }
        return out;
    });
}

}  // namespace xtrader

namespace xtrader {

std::size_t PostgresStore::upsert_orders(std::span<const OrderChange> changes) {
    if (changes.empty()) return 0;
    std::lock_guard lock(mutex_);
    return guarded(&session_, "upsert orders", [&] {
        pqxx::work tx(session().connection);
        std::string sql =
            "INSERT INTO orders (order_id, account_id, client_order_id, symbol, side, order_type, "
            "time_in_force, post_only, status, reason, price, quantity, filled_quantity, "
            "filled_amount, sequence, change, created_time, updated_time, stop_price) VALUES ";
        sql.reserve(sql.size() + changes.size() * 220);
        for (const auto& c : changes) {
            const OrderRecord& o = c.order;
            const MarketSpec& m = catalog_.markets[o.market];
            sql += &c == changes.data() ? "(" : ",(";
            // Appended one by one: no temporaries (and GCC's -O3 restrict warning stays quiet).
            const auto value = [&sql](const std::string& text) {
                sql += text;
                sql += ',';
            };
            value(std::to_string(o.id));
            value(std::to_string(o.account));
            // A client order id is [A-Za-z0-9_-] by construction (ClientOrderId::parse).
            value(o.client_order_id.empty() ? "NULL" : literal(o.client_order_id.view()));
            value(literal(m.symbol));
            value(literal(to_string(o.side)));
            value(literal(to_string(o.type)));
            value(literal(to_string(o.tif)));
            value(o.post_only ? "true" : "false");
            value(literal(to_string(o.status)));
            value(tx.quote(o.reason));
            value(format_decimal(o.price, m.price_scale));
            value(format_decimal(o.quantity, m.qty_scale));
            value(format_decimal(o.filled, m.qty_scale));
            value(format_decimal(o.price_volume, m.price_scale + m.qty_scale));
            value(std::to_string(o.sequence));
            value(std::to_string(c.change));
            value(std::to_string(to_millis(o.created)));
            value(std::to_string(to_millis(o.updated)));
            sql += is_stop(o.type) ? format_decimal(o.stop_price, m.price_scale) : "NULL";
            sql += ')';
        }
        sql +=
            " ON CONFLICT (order_id) DO UPDATE SET price = excluded.price, "
            "quantity = excluded.quantity, status = excluded.status, reason = excluded.reason, "
            "filled_quantity = excluded.filled_quantity, filled_amount = excluded.filled_amount, "
            "sequence = excluded.sequence, change = excluded.change, "
            "updated_time = excluded.updated_time "
            "WHERE (orders.sequence, orders.change) < (excluded.sequence, excluded.change)";
        const auto result = tx.exec(sql);
        tx.commit();
        return static_cast<std::size_t>(result.affected_rows());
    });
}

namespace {

constexpr const char* kOrderColumns =
    "order_id, account_id, client_order_id, symbol, side, order_type, time_in_force, post_only, "
    "status, reason, price, quantity, filled_quantity, filled_amount, sequence, created_time, "
    "updated_time, stop_price";

// A row of kOrderColumns; nullopt for a market no longer configured.
std::optional<OrderRecord> order_of(const MarketCatalog& catalog, const pqxx::row& row) {
    const MarketSpec* m = catalog.find(row[3].c_str());
    if (m == nullptr) return std::nullopt;
    OrderRecord o;
    o.id = row[0].as<OrderId>();
    o.account = row[1].as<AccountId>();
    if (!row[2].is_null()) {
        if (auto client = ClientOrderId::parse(row[2].c_str())) o.client_order_id = *client;
    }
    o.market = static_cast<MarketId>(m - catalog.markets.data());
    // The table's CHECK and the writer above keep these to the names they parse.
    o.side = parse_side(row[4].c_str()).value_or(Side::Buy);
    o.type = parse_order_type(row[5].c_str()).value_or(OrderType::Limit);
    o.tif = parse_time_in_force(row[6].c_str()).value_or(TimeInForce::GTC);
    o.post_only = row[7].as<bool>();
    o.status = parse_order_status(row[8].c_str()).value_or(OrderStatus::Pending);
    o.reason = row[9].c_str();
    parse_decimal(row[10].c_str(), m->price_scale, o.price);
    parse_decimal(row[11].c_str(), m->qty_scale, o.quantity);
    parse_decimal(row[12].c_str(), m->qty_scale, o.filled);
    parse_decimal(row[13].c_str(), m->price_scale + m->qty_scale, o.price_volume);
    o.sequence = row[14].as<Sequence>();
    o.created = row[15].as<Timestamp>() * kNanosPerMilli;
    o.updated = row[16].as<Timestamp>() * kNanosPerMilli;
    if (!row[17].is_null()) parse_decimal(row[17].c_str(), m->price_scale, o.stop_price);
    return o;
}

}  // namespace

std::optional<OrderRecord> PostgresStore::order(OrderId id) {
    std::lock_guard lock(mutex_);
    return guarded(&session_, "read order", [&]() -> std::optional<OrderRecord> {
        pqxx::read_transaction tx(session().connection);
        const auto rows = tx.exec(std::string("SELECT ") + kOrderColumns +
                                  " FROM orders WHERE order_id = " + std::to_string(id));
        if (rows.empty()) return std::nullopt;
        return order_of(catalog_, rows[0]);
    });
}

std::optional<OrderRecord> PostgresStore::order_by_client_id(AccountId account,
                                                             const ClientOrderId& client_order_id) {
    std::lock_guard lock(mutex_);
    return guarded(&session_, "read order", [&]() -> std::optional<OrderRecord> {
        pqxx::read_transaction tx(session().connection);
        const auto rows = tx.exec(std::string("SELECT ") + kOrderColumns +
                                  " FROM orders WHERE account_id = " + std::to_string(account) +
                                  " AND client_order_id = " + literal(client_order_id.view()) +
                                  " ORDER BY order_id DESC LIMIT 1");
        if (rows.empty()) return std::nullopt;
        return order_of(catalog_, rows[0]);
    });
}

std::vector<OrderRecord> PostgresStore::closed_orders(AccountId account,
                                                      std::optional<MarketId> market,
                                                      std::size_t limit,
                                                      std::optional<OrderId> before) {
    std::string filter = " WHERE account_id = " + std::to_string(account) +
                         " AND status IN ('Filled', 'Cancelled', 'Rejected')";
    if (market) filter += " AND symbol = " + literal(catalog_.markets[*market].symbol);
    if (before) filter += " AND order_id < " + std::to_string(*before);
    std::lock_guard lock(mutex_);
    return guarded(&session_, "read orders", [&] {
        pqxx::read_transaction tx(session().connection);
        const auto rows = tx.exec(std::string("SELECT ") + kOrderColumns + " FROM orders" + filter +
                                  " ORDER BY order_id DESC LIMIT " + std::to_string(limit));
        std::vector<OrderRecord> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            if (auto order = order_of(catalog_, row)) out.push_back(std::move(*order));
        }
        return out;
    });
}

}  // namespace xtrader

namespace xtrader {

using surveillance::Alert;

void PostgresStore::migrate_once() {
    if (migrated_) return;
    migrate(dsn_);
    migrated_ = true;
}

std::size_t PostgresStore::add(std::span<const Alert> alerts) {
    if (alerts.empty()) return 0;
    std::lock_guard lock(mutex_);
    migrate_once();
    return guarded(&session_, "insert alerts", [&] {
        pqxx::work tx(session().connection);
        std::string sql =
            "INSERT INTO alerts (id, kind, severity, symbol, accounts, evidence, summary, "
            "sequence, alert_time) VALUES ";
        std::string reports;
        for (const auto& a : alerts) {
            const MarketSpec& m = catalog_.markets[a.market];
            sql += &a == alerts.data() ? "(" : ",(";
            sql += tx.quote(a.id) + ",";
            sql += literal(to_string(a.kind)) + ",";
            sql += literal(to_string(a.severity)) + ",";
            sql += literal(m.symbol) + ",";
            sql += "ARRAY[";
            store_detail::append_ids(sql, a.accounts);
            sql += "]::BIGINT[],'{\"executions\":[";
            store_detail::append_ids(sql, a.executions, "\"", "\"");
            sql += "],\"orders\":[";
            store_detail::append_ids(sql, a.orders, "\"", "\"");
            sql += "]}',";
            sql += tx.quote(a.summary) + ",";
            sql += std::to_string(a.sequence) + ",";
            sql += std::to_string(to_millis(a.time)) + ")";
            if (a.kind != surveillance::AlertKind::LargeTrade || !a.execution) continue;
            const auto& e = *a.execution;
            reports += reports.empty() ? "(" : ",(";
            reports += std::to_string(e.exec_id) + "," + tx.quote(a.id) + "," + literal(m.symbol);
            reports += "," + std::to_string(e.buyer) + "," + std::to_string(e.seller) + ",";
            reports += format_decimal(e.price, m.price_scale) + ",";
            reports += format_decimal(e.quantity, m.qty_scale) + ",";
            reports += format_decimal(e.notional, catalog_.assets[m.quote].scale) + ",";
            reports += std::to_string(to_millis(e.time)) + ")";
        }
        sql += " ON CONFLICT (id) DO NOTHING";
        const auto result = tx.exec(sql);
        if (!reports.empty()) {
            tx.exec(
                "INSERT INTO regulatory_reports (exec_id, alert_id, symbol, buy_account, "
                "sell_account, price, quantity, notional, transaction_time) VALUES " +
                reports + " ON CONFLICT (exec_id) DO NOTHING");
        }
        tx.commit();
        return static_cast<std::size_t>(result.affected_rows());
    });
}

std::vector<Alert> PostgresStore::alerts(const AlertQuery& query) {
    std::string filter = " WHERE alert_time >= " + std::to_string(to_millis(query.since));
    if (query.kind) filter += " AND kind = " + literal(to_string(*query.kind));
    if (query.market) filter += " AND symbol = " + literal(catalog_.markets[*query.market].symbol);
    if (query.account)
        filter += " AND accounts @> ARRAY[" + std::to_string(*query.account) + "]::BIGINT[]";
    std::lock_guard lock(mutex_);
    migrate_once();
    return guarded(&session_, "read alerts", [&] {
        pqxx::read_transaction tx(session().connection);
        const auto rows = tx.exec(
            "SELECT id, kind, severity, symbol, array_to_string(accounts, ','), "
            "(SELECT string_agg(x, ',') FROM jsonb_array_elements_text(evidence->'executions') x), "
            "(SELECT string_agg(x, ',') FROM jsonb_array_elements_text(evidence->'orders') x), "
            "summary, sequence, alert_time FROM alerts" +
            filter + " ORDER BY alert_time DESC, sequence DESC LIMIT " +
            std::to_string(query.limit));
        std::vector<Alert> out;
        out.reserve(rows.size());
        for (const auto& row : rows) {
            const MarketSpec* m = catalog_.find(row[3].c_str());
            const auto kind = surveillance::parse_alert_kind(row[1].c_str());
            const auto severity = surveillance::parse_severity(row[2].c_str());
            if (m == nullptr || !kind || !severity) continue;  // a market no longer configured
            Alert a;
            a.id = row[0].c_str();
            a.kind = *kind;
            a.severity = *severity;
            a.market = static_cast<MarketId>(m - catalog_.markets.data());
            a.accounts = store_detail::parse_ids<AccountId>(row[4].c_str());
            a.executions = store_detail::parse_ids<ExecId>(row[5].is_null() ? "" : row[5].c_str());
            a.orders = store_detail::parse_ids<OrderId>(row[6].is_null() ? "" : row[6].c_str());
            a.summary = row[7].c_str();
            a.sequence = row[8].as<Sequence>();
            a.time = row[9].as<Timestamp>() * kNanosPerMilli;
            out.push_back(std::move(a));
        }
        return out;
    });
}

}  // namespace xtrader
