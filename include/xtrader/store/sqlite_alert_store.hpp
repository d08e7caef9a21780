// Embedded mode's alert store: alerts and large-trade reports in an SQLite file of the data
// directory, with the journal position the embedded surveillance has taken in, written in the
// same transaction as the alerts it led to (so a restart resumes after the last batch kept).
// WAL journal, synchronous=FULL. One connection writes, another reads, each behind its own
// mutex: the REST reads never wait for a write.
#pragma once

#include <filesystem>
#include <mutex>

#include "xtrader/core/market.hpp"
#include "xtrader/store/alert_store.hpp"

struct sqlite3;

namespace xtrader {

class SqliteAlertStore final : public AlertStore {
  public:
    SqliteAlertStore(const MarketCatalog& catalog, const std::filesystem::path& file);
    ~SqliteAlertStore() override;
    SqliteAlertStore(const SqliteAlertStore&) = delete;
    SqliteAlertStore& operator=(const SqliteAlertStore&) = delete;

    // The journal sequence the embedded surveillance has taken in.
    Sequence position();
    // One transaction: the alerts not stored yet, and the position moved to `position`.
    std::size_t add(std::span<const surveillance::Alert> alerts, Sequence position);
    std::size_t add(std::span<const surveillance::Alert> alerts) override;
    std::vector<surveillance::Alert> alerts(const AlertQuery& query) override;

  private:
    std::size_t insert(std::span<const surveillance::Alert> alerts);

    const MarketCatalog& catalog_;
    sqlite3* writer_ = nullptr;
    sqlite3* reader_ = nullptr;
    std::mutex write_mutex_;
    std::mutex read_mutex_;
};

}  // namespace xtrader
