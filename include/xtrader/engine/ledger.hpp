// Balances per account and asset, split into `available` and `held` (reserved by open orders).
//
// Every movement is between two places that the ledger tracks, so the total of an asset over all
// accounts changes only by deposit and withdraw; totals() exposes it for the conservation checks.
// A deposit never takes an asset's total beyond int64, so no single balance can overflow.
// Accounts are dense indices below max_accounts; storage grows on first use.
// Not thread-safe; owned by the sequencer thread. All operations are O(1).
#pragma once

#include <cstdint>
#include <vector>

#include "xtrader/core/binary.hpp"
#include "xtrader/core/types.hpp"

namespace xtrader {

struct Balance {
    Amount available = 0;
    Amount held = 0;
    bool operator==(const Balance&) const = default;
};

class Ledger {
  public:
    Ledger(std::size_t asset_count, std::size_t max_accounts);

    Balance balance(AccountId account, AssetId asset) const noexcept;
    Amount total(AssetId asset) const noexcept { return totals_[asset]; }
    std::size_t asset_count() const noexcept { return asset_count_; }
    std::size_t account_count() const noexcept { return balances_.size() / asset_count_; }
    bool valid_account(AccountId account) const noexcept { return account < max_accounts_; }

    // Each returns false and changes nothing when the amount is not there.
    bool deposit(AccountId account, AssetId asset, Amount amount);
    bool withdraw(AccountId account, AssetId asset, Amount amount);
    bool hold(AccountId account, AssetId asset, Amount amount);  // available -> held

    // Callers guarantee the amounts exist (an order never spends more than it holds).
    void release(AccountId account, AssetId asset, Amount amount);     // held -> available
    void spend_held(AccountId account, AssetId asset, Amount amount);  // held -> elsewhere
    void spend_available(AccountId account, AssetId asset, Amount amount);
    void credit(AccountId account, AssetId asset, Amount amount);  // elsewhere -> available

    void save(ByteWriter& out) const;
    bool load(ByteReader& in);

  private:
    Balance& at(AccountId account, AssetId asset);

    std::size_t asset_count_;
    std::size_t max_accounts_;
    std::vector<Balance> balances_;  // [account * asset_count + asset]
    std::vector<Amount> totals_;
};

}  // namespace xtrader
