// The SQLite stores' shared pieces: a prepared statement, statements without results, opening
// a database file and applying its migrations (PRAGMA user_version counts those applied).
#pragma once

#include <sqlite3.h>

#include <filesystem>
#include <span>
#include <string>
#include <string_view>

#include "xtrader/store/trade_store.hpp"

namespace xtrader::store_detail {

class Statement {
  public:
    Statement(sqlite3* db, const char* sql) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) {
            throw StoreError(std::string("sqlite prepare: ") + sqlite3_errmsg(db));
        }
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    Statement& bind(int index, std::int64_t value) {
        sqlite3_bind_int64(stmt_, index, value);
        return *this;
    }
    Statement& bind(int index, std::string_view text) {
        // An empty view may have no data: SQLite would bind NULL, not ''.
        sqlite3_bind_text(stmt_, index, text.empty() ? "" : text.data(),
                          static_cast<int>(text.size()), SQLITE_TRANSIENT);
        return *this;
    }
    // True while there is a row.
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw StoreError(std::string("sqlite step: ") + sqlite3_errmsg(db_));
    }
    void run() {
        step();
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }
    std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
    std::string text(int column) const {
        const auto* p = sqlite3_column_text(stmt_, column);
        return p == nullptr ? std::string{} : reinterpret_cast<const char*>(p);
    }

  private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
};

inline void exec(sqlite3* db, const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
        std::string message = error != nullptr ? error : "unknown";
        sqlite3_free(error);
        throw StoreError("sqlite: " + message);
    }
}

inline sqlite3* open(const std::filesystem::path& file) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) !=
        SQLITE_OK) {
        const std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw StoreError("cannot open " + file.string() + ": " + message);
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

// Applies the migrations the file has not had yet, each in a transaction of its own. Never edit
// one that has shipped: add the next.
inline void migrate(sqlite3* db, std::span<const char* const> migrations) {
    // Read in a scope of its own: a statement still active would lock the schema (DROP INDEX).
    const auto applied = [db] {
        Statement version(db, "PRAGMA user_version");
        version.step();
        return static_cast<std::size_t>(version.integer(0));
    }();
    for (std::size_t i = applied; i < migrations.size(); ++i) {
        exec(db, "BEGIN");
        exec(db, migrations[i]);
        exec(db, ("PRAGMA user_version = " + std::to_string(i + 1)).c_str());
        exec(db, "COMMIT");
    }
}

// The single-row table `position (id = 1, sequence)` a store keeps beside what it applied: the
// journal sequence it has taken in, written in the same transaction as the rows.
inline Sequence read_position(sqlite3* db) {
    Statement s(db, "SELECT sequence FROM position WHERE id = 1");
    s.step();
    return static_cast<Sequence>(s.integer(0));
}

inline void write_position(sqlite3* db, Sequence position) {
    Statement(db, "UPDATE position SET sequence = ? WHERE id = 1")
        .bind(1, static_cast<std::int64_t>(position))
        .run();
}

}  // namespace xtrader::store_detail
