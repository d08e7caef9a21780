#include "xtrader/engine/ledger.hpp"

#include <limits>

namespace xtrader {

Ledger::Ledger(std::size_t asset_count, std::size_t max_accounts)
    : asset_count_(asset_count == 0 ? 1 : asset_count),
      max_accounts_(max_accounts),
      totals_(asset_count_, 0) {}

Balance Ledger::balance(AccountId account, AssetId asset) const noexcept {
    const std::size_t index = std::size_t{account} * asset_count_ + asset;
    return index < balances_.size() ? balances_[index] : Balance{};
}

Balance& Ledger::at(AccountId account, AssetId asset) {
    const std::size_t index = std::size_t{account} * asset_count_ + asset;
    if (index >= balances_.size()) balances_.resize((std::size_t{account} + 1) * asset_count_);
    return balances_[index];
}

bool Ledger::deposit(AccountId account, AssetId asset, Amount amount) {
    if (amount > std::numeric_limits<Amount>::max() - totals_[asset]) return false;
    at(account, asset).available += amount;
    totals_[asset] += amount;
    return true;
}

bool Ledger::withdraw(AccountId account, AssetId asset, Amount amount) {
    if (balance(account, asset).available < amount) return false;
    at(account, asset).available -= amount;
    totals_[asset] -= amount;
    return true;
}

bool Ledger::hold(AccountId account, AssetId asset, Amount amount) {
    if (balance(account, asset).available < amount) return false;
    auto& b = at(account, asset);
    b.available -= amount;
    b.held += amount;
    return true;
}

void Ledger::release(AccountId account, AssetId asset, Amount amount) {
    auto& b = at(account, asset);
    b.held -= amount;
    b.available += amount;
}

void Ledger::spend_held(AccountId account, AssetId asset, Amount amount) {
    at(account, asset).held -= amount;
}

void Ledger::spend_available(AccountId account, AssetId asset, Amount amount) {
    at(account, asset).available -= amount;
}

void Ledger::credit(AccountId account, AssetId asset, Amount amount) {
    at(account, asset).available += amount;
}

void Ledger::save(ByteWriter& out) const {
    out.put(static_cast<std::uint32_t>(asset_count_));
    for (Amount total : totals_) out.put(total);
    // Trailing accounts with nothing in them are not part of the state.
    std::size_t used = balances_.size();
    while (used > 0 && balances_[used - 1] == Balance{}) --used;
    const std::size_t accounts = (used + asset_count_ - 1) / asset_count_;
    out.put(static_cast<std::uint32_t>(accounts));
    for (std::size_t i = 0; i < accounts * asset_count_; ++i) {
        out.put(balances_[i].available);
        out.put(balances_[i].held);
    }
}

bool Ledger::load(ByteReader& in) {
    if (in.get<std::uint32_t>() != asset_count_) return false;
    for (Amount& total : totals_) total = in.get<Amount>();
    const std::size_t accounts = in.get<std::uint32_t>();
    if (in.failed() || accounts > max_accounts_) return false;
    balances_.assign(accounts * asset_count_, Balance{});
    for (auto& b : balances_) {
        b.available = in.get<Amount>();
        b.held = in.get<Amount>();
    }
    return !in.failed();
}

}  // namespace xtrader
