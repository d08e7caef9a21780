#include "xtrader/api/admin_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <limits>

#include "xtrader/core/decimal.hpp"
#include "xtrader/json/reader.hpp"
#include "xtrader/json/writer.hpp"

namespace xtrader::api {

namespace {

void write_key(JsonWriter& json, const KeyInfo& key) {
    json.begin_object();
    json.key("key_id").string(key.key_id);
    json.key("account_id").number(key.account);
    json.key("scope").string(to_string(key.scope));
    json.key("source").string(key.from_config ? "config" : "admin");
    json.key("revoked").boolean(key.revoked);
    json.end_object();
}

// A JSON body with no fields but `fields`; nullopt after answering 400 / 415. An empty body is
// an empty object when `optional`.
std::optional<JsonValue> admin_body(RestCall& call, std::initializer_list<std::string_view> fields,
                                    bool optional) {
    const auto& request = call.request();
    if (optional && request.body().empty()) return JsonValue{JsonValue::Kind::Object, {}, {}, {}};
    if (!require_json(call)) return std::nullopt;
    std::string error;
    auto body = parse_json_object(request.body(), error);
    if (!body) {
        call.fail(400, "malformed_json", error);
        return std::nullopt;
    }
    for (const auto& [name, value] : body->members) {
        if (std::find(fields.begin(), fields.end(), name) == fields.end()) {
            call.fail(400, "unknown_field", "unknown field \"" + name + "\"");
            return std::nullopt;
        }
    }
    return body;
}

// The body's optional "scope"; nullopt after answering 400.
std::optional<KeyScope> scope_of(RestCall& call, const JsonValue& body) {
    const auto* text = body.find("scope");
    if (text == nullptr) return KeyScope::Trading;
    const auto scope = parse_key_scope(text->text);
    if (!scope || !text->is(JsonValue::Kind::String)) {
        call.fail(400, "invalid_scope", "scope must be \"trading\" or \"read_only\"");
        return std::nullopt;
    }
    return scope;
}

}  // namespace

AdminRoutes::AdminRoutes(const MarketCatalog& catalog, Sequencer& sequencer, AccessControl& access,
                         AccountId max_accounts)
    : catalog_(catalog), sequencer_(sequencer), access_(access), max_accounts_(max_accounts) {}

void AdminRoutes::deposit(const RestCallPtr& call) {
    if (!access_.admin(*call)) return;
    const auto request = admin_body(*call, {"account_id", "asset", "amount"}, false);
    if (!request) return;
    const auto* account_text = request->find("account_id");
    const auto* asset_text = request->find("asset");
    const auto* amount_text = request->find("amount");
    AccountId account = 0;
    if (!json_integer(account_text, account) || !access_.keys().has_account(account)) {
        return call->fail(400, "invalid_account", "account_id must name a configured account");
    }
    const AssetSpec* asset =
        asset_text != nullptr ? catalog_.find_asset(asset_text->text) : nullptr;
    if (asset == nullptr) {
        return call->fail(400, "invalid_asset", "asset must name a configured asset");
    }
    Amount amount = 0;
    if (amount_text == nullptr ||
        (!amount_text->is(JsonValue::Kind::Number) && !amount_text->is(JsonValue::Kind::String)) ||
        parse_decimal(amount_text->text, asset->scale, amount) != DecimalError::Ok || amount <= 0) {
        return call->fail(400, "invalid_amount",
                          "amount must be a positive number with at most " +
                              std::to_string(asset->scale) + " decimals");
    }
    const auto asset_id = static_cast<AssetId>(asset - catalog_.assets.data());
    const Deposit command{account, asset_id, amount};
    submitted(*call, sequencer_.submit(command, [call, asset, amount](const CommandReply& reply) {
        if (reply.result != RejectReason::None) {
            return call->fail(400, to_string(reply.result), "the deposit was refused");
        }
        std::string body;
        JsonWriter json(body);
        json.begin_object();
        json.key("asset").string(asset->name);
        json.key("amount").decimal(amount, asset->scale);
        json.key("sequence").number(reply.sequence);
        json.end_object();
        call->reply(200, std::move(body));
    }));
}

void AdminRoutes::set_halted(const RestCallPtr& call, std::string_view symbol, bool halted) {
    if (!access_.admin(*call)) return;
    const std::string name = url_decode(symbol);
    const MarketSpec* market = catalog_.find(name);
    if (market == nullptr)
        return call->fail(404, "unknown_symbol", "unknown symbol \"" + name + "\"");
    const auto id = static_cast<MarketId>(market - catalog_.markets.data());
    submitted(*call, sequencer_.submit(SetMarketHalted{id, halted}, [call, market, halted](
                                                                        const CommandReply& reply) {
        if (reply.result != RejectReason::None) {
            return call->fail(400, to_string(reply.result), "the market's state was not changed");
        }
        std::string body;
        JsonWriter json(body);
        json.begin_object();
        json.key("symbol").string(market->symbol);
        json.key("status").string(halted ? "halted" : "trading");
        json.key("sequence").number(reply.sequence);
        json.end_object();
        call->reply(200, std::move(body));
    }));
}

void AdminRoutes::list_accounts(const RestCallPtr& call) {
    if (!access_.admin(*call)) return;
    const auto keys = access_.keys().keys();
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("accounts").begin_array();
    for (const auto& account : access_.keys().accounts()) {
        json.begin_object();
        json.key("account_id").number(account.id);
        json.key("name").string(account.name);
        json.key("source").string(account.from_config ? "config" : "admin");
        json.key("keys").begin_array();
        for (const auto& key : keys) {
            if (key.account == account.id) write_key(json, key);
        }
        json.end_array().end_object();
    }
    json.end_array().end_object();
    call->reply(200, std::move(body));
}

// Creates an account and its first key.
void AdminRoutes::create_account(const RestCallPtr& call) {
    if (!access_.admin(*call)) return;
    const auto request = admin_body(*call, {"name", "scope"}, true);
    if (!request) return;
    const auto scope = scope_of(*call, *request);
    if (!scope) return;
    const auto* name = request->find("name");
    // Characters, not bytes (as the document's maxLength counts): UTF-8 lead bytes.
    const auto characters = [](const std::string& text) {
        return std::count_if(text.begin(), text.end(),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    };
    if (name == nullptr || !name->is(JsonValue::Kind::String) || name->text.empty() ||
        characters(name->text) > 64) {
        return call->fail(400, "invalid_name", "name is required: 1 to 64 characters");
    }
    // Room for its key first: an account is never left without one.
    if (access_.keys().keys().size() >= KeyRegistry::kMaxKeys) {
        return call->fail(503, "no_room", "no more API keys can be issued");
    }
    AccountInfo account;
    try {
        account = access_.keys().create_account(name->text, max_accounts_);
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: creating an account: {}", e.what());
        return call->fail(503, "unavailable", "the account could not be stored; retry shortly",
                          "1");
    }
    answer_new_key(*call, account.id, *scope, &account.name);
}

void AdminRoutes::issue_key(const RestCallPtr& call, std::string_view account_text) {
    if (!access_.admin(*call)) return;
    const auto account = parse_unsigned(account_text);
    if (!account || *account > std::numeric_limits<AccountId>::max() ||
        !access_.keys().has_account(static_cast<AccountId>(*account))) {
        return call->fail(404, "account_not_found", "no such account");
    }
    const auto request = admin_body(*call, {"scope"}, true);
    if (!request) return;
    const auto scope = scope_of(*call, *request);
    if (!scope) return;
    answer_new_key(*call, static_cast<AccountId>(*account), *scope, nullptr);
}

// Issues a key and answers 201 with its secret; with the account's name when it is new.
void AdminRoutes::answer_new_key(RestCall& call, AccountId account, KeyScope scope,
                                 const std::string* name) {
    std::optional<std::pair<std::string, KeyInfo>> issued;
    try {
        issued = access_.keys().issue_key(account, scope);
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: issuing a key: {}", e.what());
        return call.fail(503, "unavailable", "the key could not be stored; retry shortly", "1");
    }
    if (!issued) return call.fail(503, "no_room", "no more API keys can be issued");
    std::string body;
    JsonWriter json(body);
    json.begin_object();
    json.key("account_id").number(account);
    if (name != nullptr) json.key("name").string(*name);
    json.key("api_key").string(issued->first);
    json.key("key_id").string(issued->second.key_id);
    json.key("scope").string(to_string(scope));
    json.end_object();
    call.reply(201, std::move(body));
}

void AdminRoutes::revoke_key(const RestCallPtr& call, std::string_view key_id) {
    if (!access_.admin(*call)) return;
    try {
        if (!access_.keys().revoke(key_id)) {
            return call->fail(404, "key_not_found", "no such key, or it is revoked already");
        }
    } catch (const std::runtime_error& e) {
        spdlog::error("admin: revoking a key: {}", e.what());
        return call->fail(503, "unavailable", "the revocation could not be stored; retry", "1");
    }
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("key_id").string(key_id).key("revoked").boolean(true).end_object();
    call->reply(200, std::move(body));
}

}  // namespace xtrader::api
