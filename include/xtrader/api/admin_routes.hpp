// The operator's routes, behind the admin token: POST /v1/admin/deposit, GET and POST
// /v1/admin/accounts, POST /v1/admin/accounts/{id}/keys, DELETE /v1/admin/keys/{key_id}. A key's
// secret appears in the answer that issued it and nowhere else; listings show key ids and
// scopes only. Thread-safe.
#pragma once

#include <string_view>

#include "xtrader/api/access_control.hpp"
#include "xtrader/api/rest_call.hpp"

namespace xtrader::api {

class AdminRoutes {
  public:
    // max_accounts: the engine's bound on account ids.
    AdminRoutes(const MarketCatalog& catalog, Sequencer& sequencer, AccessControl& access,
                AccountId max_accounts);

    void deposit(const RestCallPtr& call);
    void list_accounts(const RestCallPtr& call);
    void create_account(const RestCallPtr& call);
    void issue_key(const RestCallPtr& call, std::string_view account_text);
    void revoke_key(const RestCallPtr& call, std::string_view key_id);
    // POST /v1/admin/markets/{symbol}/halt or /resume.
    void set_halted(const RestCallPtr& call, std::string_view symbol, bool halted);

  private:
    void answer_new_key(RestCall& call, AccountId account, KeyScope scope, const std::string* name);

    const MarketCatalog& catalog_;
    Sequencer& sequencer_;
    AccessControl& access_;
    AccountId max_accounts_;
};

}  // namespace xtrader::api
