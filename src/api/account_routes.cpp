#include "xtrader/api/account_routes.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "xtrader/api/encoders.hpp"
#include "xtrader/api/order_requests.hpp"

namespace xtrader::api {

AccountRoutes::AccountRoutes(const MarketCatalog& catalog, Sequencer& sequencer,
                             ExecutionHistory& history, AccessControl& access,
                             boost::asio::thread_pool& store_reads)
    : catalog_(catalog),
      sequencer_(sequencer),
      history_(history),
      access_(access),
      store_reads_(store_reads) {}

void AccountRoutes::balances(const RestCallPtr& call) {
    if (!access_.authenticate(*call)) return;
    auto seen = std::make_shared<std::vector<Balance>>();
    const AccountId account = call->principal.account;
    submitted(*call, sequencer_.inspect(
                         [seen, account](const MatchingEngine& engine) {
                             const auto& ledger = engine.ledger();
                             for (AssetId a = 0; a < ledger.asset_count(); ++a) {
                                 seen->push_back(ledger.balance(account, a));
                             }
                         },
                         [call, seen, catalog = &catalog_](const CommandReply& reply) {
                             std::string body;
                             JsonWriter json(body);
                             json.begin_object().key("balances").begin_array();
                             for (std::size_t a = 0; a < seen->size(); ++a) {
                                 const auto& asset = catalog->assets[a];
                                 json.begin_object();
                                 json.key("asset").string(asset.name);
                                 json.key("available").decimal((*seen)[a].available, asset.scale);
                                 json.key("held").decimal((*seen)[a].held, asset.scale);
                                 json.end_object();
                             }
                             json.end_array();
                             json.key("sequence").number(reply.sequence);
                             json.end_object();
                             call->reply(200, std::move(body));
                         }));
}

void AccountRoutes::executions(const RestCallPtr& call) {
    if (!access_.authenticate(*call)) return;
    ExecutionQuery query;
    query.account = call->principal.account;
    if (!query_market(*call, catalog_, query.market)) return;
    if (const auto* text = call->target().param("order_id")) {
        const auto id = parse_unsigned(*text);
        if (!id || *id == 0) {
            return call->fail(400, "invalid_order_id", "order_id must be a positive integer");
        }
        query.order_id = *id;
    }
    constexpr std::int64_t kMaxMillis = INT64_MAX / kNanosPerMilli;
    std::optional<std::int64_t> from, to, limit;
    if (!query_number(*call, "from", 0, kMaxMillis, from) ||
        !query_number(*call, "to", 0, kMaxMillis, to) ||
        !query_number(*call, "limit", 1, 1000, limit)) {
        return;
    }
    if (limit) query.limit = static_cast<std::size_t>(*limit);
    if (from) query.from = *from * kNanosPerMilli;
    if (to) query.to = *to * kNanosPerMilli;
    if (const auto* text = call->target().param("cursor")) {
        query.after = decode_cursor(*text);
        if (!query.after) {
            return call->fail(400, "invalid_cursor",
                              "cursor must be the `next` of the previous page");
        }
    }
    boost::asio::post(store_reads_, [call, query, catalog = &catalog_, history = &history_] {
        std::vector<ExecutionRecord> rows;
        try {
            rows = history->executions(query);
        } catch (const std::exception& e) {
            spdlog::warn("GET /v1/execution: {}", e.what());
            return call->fail(503, "history_unavailable",
                              "execution history is unavailable for the moment; retry shortly",
                              "1");
        }
        std::string body;
        JsonWriter json(body);
        json.begin_object().key("executions").begin_array();
        for (const auto& e : rows) {
            const auto& m = catalog->markets[e.market];
            write_own_execution(json, m, catalog->assets[m.quote], e, ExecutionScope::Standalone);
        }
        json.end_array().key("next");
        if (rows.size() < query.limit) {
            json.null();
        } else {
            json.string(encode_cursor({rows.back().time, rows.back().exec_id}));
        }
        json.end_object();
        call->reply(200, std::move(body));
    });
}

}  // namespace xtrader::api
