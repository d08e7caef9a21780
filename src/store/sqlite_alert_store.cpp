#include "xtrader/store/sqlite_alert_store.hpp"

#include "id_lists.hpp"
#include "sqlite.hpp"

namespace xtrader {

namespace {

using store_detail::exec;
using store_detail::Statement;
using surveillance::Alert;

constexpr const char* kMigrations[] = {
    R"sql(
    CREATE TABLE position (id INTEGER PRIMARY KEY CHECK (id = 1), sequence INTEGER NOT NULL);
    INSERT INTO position VALUES (1, 0);
    -- accounts, executions, orders: ",1,2," (commas around each, for LIKE '%,1,%').
    CREATE TABLE alerts (
        id TEXT PRIMARY KEY, kind TEXT NOT NULL, severity TEXT NOT NULL,
        market INTEGER NOT NULL, accounts TEXT NOT NULL, executions TEXT NOT NULL,
        orders TEXT NOT NULL, summary TEXT NOT NULL, sequence INTEGER NOT NULL,
        time INTEGER NOT NULL);
    CREATE INDEX alerts_by_time ON alerts (time);
    CREATE TABLE regulatory_reports (
        exec_id INTEGER PRIMARY KEY, alert_id TEXT NOT NULL, market INTEGER NOT NULL,
        buy_account INTEGER NOT NULL, sell_account INTEGER NOT NULL, price INTEGER NOT NULL,
        quantity INTEGER NOT NULL, notional INTEGER NOT NULL, time INTEGER NOT NULL);
    )sql",
};

template <class Id>
std::string id_list(const std::vector<Id>& ids) {
    std::string out = ",";
    store_detail::append_ids(out, ids);
    if (!ids.empty()) out += ',';
    return out;
}

template <class Id>
std::vector<Id> parse_list(std::string_view text) {
    if (text.starts_with(',')) text.remove_prefix(1);
    if (text.ends_with(',')) text.remove_suffix(1);
    return store_detail::parse_ids<Id>(text);
}

}  // namespace

SqliteAlertStore::SqliteAlertStore(const MarketCatalog& catalog, const std::filesystem::path& file)
    : catalog_(catalog) {
    std::filesystem::create_directories(file.parent_path());
    writer_ = store_detail::open(file);
    exec(writer_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    store_detail::migrate(writer_, kMigrations);
    reader_ = store_detail::open(file);
}

SqliteAlertStore::~SqliteAlertStore() {
    sqlite3_close(reader_);
    sqlite3_close(writer_);
}

Sequence SqliteAlertStore::position() {
    std::lock_guard lock(write_mutex_);
    return store_detail::read_position(writer_);
}

std::size_t SqliteAlertStore::insert(std::span<const Alert> alerts) {
    Statement alert(writer_,
                    "INSERT INTO alerts VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
    Statement report(writer_,
                     "INSERT INTO regulatory_reports VALUES (?,?,?,?,?,?,?,?,?) "
                     "ON CONFLICT DO NOTHING");
    std::size_t added = 0;
    for (const auto& a : alerts) {
        alert.bind(1, std::string_view(a.id))
            .bind(2, to_string(a.kind))
            .bind(3, to_string(a.severity))
            .bind(4, std::int64_t{a.market})
            .bind(5, id_list(a.accounts))
            .bind(6, id_list(a.executions))
            .bind(7, id_list(a.orders))
            .bind(8, std::string_view(a.summary))
            .bind(9, static_cast<std::int64_t>(a.sequence))
            .bind(10, to_millis(a.time) * kNanosPerMilli)
            .run();
        added += static_cast<std::size_t>(sqlite3_changes(writer_));
        if (a.kind != surveillance::AlertKind::LargeTrade || !a.execution) continue;
        const auto& e = *a.execution;
        report.bind(1, static_cast<std::int64_t>(e.exec_id))
            .bind(2, std::string_view(a.id))
            .bind(3, std::int64_t{e.market})
            .bind(4, std::int64_t{e.buyer})
            .bind(5, std::int64_t{e.seller})
            .bind(6, e.price)
            .bind(7, e.quantity)
            .bind(8, e.notional)
            .bind(9, e.time)
            .run();
    }
    return added;
}

std::size_t SqliteAlertStore::add(std::span<const Alert> alerts, Sequence position) {
    std::lock_guard lock(write_mutex_);
    exec(writer_, "BEGIN IMMEDIATE");
    try {
        const std::size_t added = insert(alerts);
        store_detail::write_position(writer_, position);
        exec(writer_, "COMMIT");
        return added;
    } catch (...) {
        exec(writer_, "ROLLBACK");
        throw;
    }
}

std::size_t SqliteAlertStore::add(std::span<const Alert> alerts) {
    std::lock_guard lock(write_mutex_);
    exec(writer_, "BEGIN IMMEDIATE");
    try {
        const std::size_t added = insert(alerts);
        exec(writer_, "COMMIT");
        return added;
    } catch (...) {
        exec(writer_, "ROLLBACK");
        throw;
    }
}

std::vector<Alert> SqliteAlertStore::alerts(const AlertQuery& query) {
    std::lock_guard lock(read_mutex_);
    Statement s(reader_,
                "SELECT id, kind, severity, market, accounts, executions, orders, summary, "
                "sequence, time FROM alerts WHERE time >= ?1 AND (?2 = '' OR kind = ?2) "
                "AND (?3 < 0 OR market = ?3) AND (?4 = '' OR accounts LIKE ?4) "
                "ORDER BY time DESC, sequence DESC LIMIT ?5");
    s.bind(1, query.since)
        .bind(2, query.kind ? to_string(*query.kind) : std::string_view{})
        .bind(3, query.market ? std::int64_t{*query.market} : std::int64_t{-1})
        .bind(4, query.account ? "%," + std::to_string(*query.account) + ",%" : std::string{})
        .bind(5, static_cast<std::int64_t>(query.limit));
    std::vector<Alert> out;
    while (s.step()) {
        const auto kind = surveillance::parse_alert_kind(s.text(1));
        const auto severity = surveillance::parse_severity(s.text(2));
        const auto market = static_cast<MarketId>(s.integer(3));
        if (!kind || !severity || market >= catalog_.markets.size()) continue;
        Alert a;
        a.id = s.text(0);
        a.kind = *kind;
        a.severity = *severity;
        a.market = market;
        a.accounts = parse_list<AccountId>(s.text(4));
        a.executions = parse_list<ExecId>(s.text(5));
        a.orders = parse_list<OrderId>(s.text(6));
        a.summary = s.text(7);
        a.sequence = static_cast<Sequence>(s.integer(8));
        a.time = s.integer(9);
        out.push_back(std::move(a));
    }
    return out;
}

}  // namespace xtrader
