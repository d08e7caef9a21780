#include "xtrader/api/order_routes.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/post.hpp>

#include "xtrader/api/encoders.hpp"
#include "xtrader/consumers/order_projection.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader::api {

namespace {

// Whether a repeated client_order_id carries the same order as the first one.
bool same_order(const OrderRecord& first, const PlaceOrder& order) {
    return first.account == order.account && first.market == order.market &&
           first.side == order.side && first.type == order.type && first.price == order.price &&
           first.quantity == order.quantity && first.post_only == order.post_only &&
           (first.tif == order.tif ||
            (order.type == OrderType::Market && order.tif == TimeInForce::GTC));
}

std::string order_body(const MarketCatalog& catalog, const OrderRecord& order,
                       const std::vector<ExecutionRecord>* fills = nullptr) {
    const auto& m = catalog.markets[order.market];
    std::string body;
    JsonWriter json(body);
    write_order(json, m, catalog.assets[m.quote], order, fills);
    return body;
}

// POST /v1/order's answer from its command's reply, on the completion thread: the order with
// its own fills, the first order again for a repeated client_order_id, or the refusal.
void answer_placed(RestCall& call, const MarketCatalog& catalog, const OrderView& view,
                   const PlaceOrder& order, const CommandReply& reply) {
    for (const auto& event : reply.events) {
        const auto* rejected = std::get_if<CommandRejected>(&event);
        if (rejected == nullptr) continue;
        if (rejected->reason == RejectReason::InsufficientBalance) {
            return call.fail(402, "insufficient_balance",
                             "the account's available balance does not cover this order");
        }
        if (rejected->reason == RejectReason::DuplicateClientOrderId) {
            const auto first = view.find(rejected->order_id);
            if (!first || !same_order(*first, order)) {
                return call.fail(409, "client_order_id_reused",
                                 "client_order_id was used for a different order");
            }
            return call.reply(200, order_body(catalog, *first));
        }
    }
    const auto placed = placed_order(reply.sequence, reply.timestamp, order, reply.events);
    if (!placed) {
        const auto* rejected = std::get_if<CommandRejected>(&reply.events.front());
        const auto [status, code] =
            http_refusal(rejected != nullptr ? rejected->reason : RejectReason::None);
        return call.fail(status, code, "the engine refused the order");
    }
    std::vector<ExecutionRecord> fills;
    for (const auto& event : reply.events) {
        const auto* trade = std::get_if<Trade>(&event);
        if (trade != nullptr && trade->taker_order_id == placed->id) {
            fills.push_back(execution_rows(*trade, reply.timestamp, reply.sequence).first);
        }
    }
    call.reply(200, order_body(catalog, *placed, &fills));
}

// GET /v1/orders' answer: open orders first, then finished ones, at most `limit`.
void answer_orders(RestCall& call, const MarketCatalog& catalog, std::vector<OrderRecord>& found,
                   std::size_t limit) {
    if (found.size() > limit) found.resize(limit);
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("orders").begin_array();
    for (const auto& order : found) {
        const auto& m = catalog.markets[order.market];
        write_order(json, m, catalog.assets[m.quote], order);
    }
    json.end_array().end_object();
    call.reply(200, std::move(body));
}

}  // namespace

OrderRoutes::OrderRoutes(const MarketCatalog& catalog, Sequencer& sequencer,
                         const OrderView& orders, OrderHistory& store, AccessControl& access,
                         boost::asio::thread_pool& store_reads)
    : catalog_(catalog),
      sequencer_(sequencer),
      orders_(orders),
      store_(store),
      access_(access),
      store_reads_(store_reads) {}

void OrderRoutes::submit(const RestCallPtr& call) {
    if (!access_.authenticate(*call, KeyScope::Trading) || !require_json(*call)) return;
    auto decoded = decode_place_order(call->request().body(), catalog_, call->principal.account);
    if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
    const PlaceOrder order = std::get<PlaceOrder>(decoded);
    submitted(*call, sequencer_.submit(order, [call, order, catalog = &catalog_,
                                               view = &orders_](const CommandReply& reply) {
        answer_placed(*call, *catalog, *view, order, reply);
    }));
}

void OrderRoutes::cancel(const RestCallPtr& call, std::string_view id_text) {
    if (!access_.authenticate(*call, KeyScope::Trading)) return;
    if (id_text.empty() && !require_json(*call)) return;  // POST /v1/order/cancel {"order_id"}
    OrderRef ref;
    if (id_text.empty()) {
        auto decoded = decode_cancel_body(call->request().body());
        if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
        ref = std::get<OrderRef>(decoded);
    } else {
        const auto decoded = decode_order_id(id_text);
        if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
        ref.id = std::get<OrderId>(decoded);
    }
    if (ref.id != 0) return cancel_order(call, ref.id);
    // By client_order_id: the view holds every open order, so one it lacks is finished (in the
    // history) or unknown.
    const AccountId account = call->principal.account;
    if (const auto order = orders_.find_by_client_id(account, ref.client_order_id)) {
        return cancel_order(call, order->id);
    }
    read_by_client_id(call, ref.client_order_id, [call](const std::optional<OrderRecord>& order) {
        if (!order) return call->fail(404, "order_not_found", "no such order");
        call->fail(409, "order_closed", "the order is already filled or cancelled");
    });
}

void OrderRoutes::cancel_order(const RestCallPtr& call, OrderId id) {
    const AccountId account = call->principal.account;
    submitted(*call, sequencer_.submit(CancelOrder{account, id}, [call, id, account,
                                                                  view = &orders_,
                                                                  catalog = &catalog_](
                                                                     const CommandReply& reply) {
        for (const auto& event : reply.events) {
            if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
                const auto& m = catalog->markets[cancelled->market];
                std::string body;
                JsonWriter json(body);
                json.begin_object();
                json.key("order_id").string(std::to_string(cancelled->order_id));
                json.key("status").string("Cancelled");
                json.key("remaining_quantity").decimal(cancelled->remaining, m.qty_scale);
                json.key("sequence").number(reply.sequence);
                json.key("timestamp").number(to_millis(reply.timestamp));
                json.end_object();
                return call->reply(200, std::move(body));
            }
        }
        const auto* rejected = std::get_if<CommandRejected>(&reply.events.front());
        RejectReason reason = rejected != nullptr ? rejected->reason : RejectReason::UnknownOrder;
        if (reason == RejectReason::UnknownOrder) {
            // Forgotten by the engine but still in the view: finished long ago.
            if (const auto known = view->find(id)) {
                reason =
                    known->account == account ? RejectReason::OrderClosed : RejectReason::NotOwner;
            }
        }
        const auto [status, code] = http_refusal(reason);
        const char* message = status == 404   ? "no such order"
                              : status == 403 ? "the order belongs to another account"
                                              : "the order is already filled or cancelled";
        call->fail(status, code, message);
    }));
}

void OrderRoutes::get(const RestCallPtr& call, std::string_view id_text) {
    if (!access_.authenticate(*call)) return;
    const auto decoded = decode_order_id(id_text);
    if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
    const OrderId id = std::get<OrderId>(decoded);
    const auto answer = [call, catalog = &catalog_](const std::optional<OrderRecord>& order) {
        if (!order) return call->fail(404, "order_not_found", "no such order");
        if (order->account != call->principal.account) {
            return call->fail(403, "forbidden", "the order belongs to another account");
        }
        call->reply(200, order_body(*catalog, *order));
    };
    if (const auto order = orders_.find(id)) return answer(order);
    // Finished long ago: out of the view, in the store, which may block.
    boost::asio::post(store_reads_, [call, id, answer, store = &store_] {
        std::optional<OrderRecord> order;
        try {
            order = store->order(id);
        } catch (const std::exception& e) {
            spdlog::warn("GET /v1/order/{}: {}", id, e.what());
            return call->fail(503, "store_unavailable",
                              "the order store is unavailable for the moment; retry", "1");
        }
        answer(order);
    });
}

void OrderRoutes::get_by_client_id(const RestCallPtr& call) {
    if (!access_.authenticate(*call)) return;
    const auto* text = call->target().param("client_order_id");
    if (text == nullptr) {
        return call->fail(400, "invalid_client_order_id",
                          "client_order_id is required: GET /v1/order?client_order_id=...");
    }
    const auto decoded = decode_client_order_id(*text);
    if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
    const auto& client_order_id = std::get<ClientOrderId>(decoded);
    const auto answer = [call, catalog = &catalog_](const std::optional<OrderRecord>& order) {
        if (!order) return call->fail(404, "order_not_found", "no such order");
        call->reply(200, order_body(*catalog, *order));
    };
    // Ids are per account: another account's order is not found, never forbidden.
    if (const auto order = orders_.find_by_client_id(call->principal.account, client_order_id)) {
        return answer(order);
    }
    read_by_client_id(call, client_order_id, answer);
}

void OrderRoutes::read_by_client_id(const RestCallPtr& call, const ClientOrderId& client_order_id,
                                    std::function<void(const std::optional<OrderRecord>&)> answer) {
    boost::asio::post(
        store_reads_, [call, client_order_id, answer = std::move(answer), store = &store_] {
            std::optional<OrderRecord> order;
            try {
                order = store->order_by_client_id(call->principal.account, client_order_id);
            } catch (const std::exception& e) {
                spdlog::warn("order by client_order_id: {}", e.what());
                return call->fail(503, "store_unavailable",
                                  "the order store is unavailable for the moment; retry", "1");
            }
            answer(order);
        });
}

void OrderRoutes::list(const RestCallPtr& call) {
    if (!access_.authenticate(*call)) return;
    std::optional<MarketId> market;
    if (!query_market(*call, catalog_, market)) return;
    std::string_view status = "open";
    if (const auto* text = call->target().param("status")) status = *text;
    if (status != "open" && status != "closed" && status != "all") {
        return call->fail(400, "invalid_status", "status must be open, closed or all");
    }
    std::optional<std::int64_t> limit_value;
    if (!query_number(*call, "limit", 1, 1000, limit_value)) return;
    const auto limit = static_cast<std::size_t>(limit_value.value_or(100));
    const AccountId account = call->principal.account;
    std::vector<OrderRecord> found;
    if (status != "closed") found = orders_.open_orders(account, market);
    if (status == "open" || found.size() >= limit)
        return answer_orders(*call, catalog_, found, limit);
    auto finished = orders_.finished_orders(account, market, limit - found.size());
    if (finished.size() + found.size() >= limit || !orders_.forgets()) {
        found.insert(found.end(), finished.begin(), finished.end());
        return answer_orders(*call, catalog_, found, limit);
    }
    // The view has dropped finished orders: the older ones are in the store, which may block.
    boost::asio::post(store_reads_, [call, account, market, limit, found = std::move(found),
                                     finished = std::move(finished), store = &store_,
                                     catalog = &catalog_]() mutable {
        std::vector<OrderRecord> stored;
        try {
            stored = store->closed_orders(account, market, limit - found.size());
        } catch (const std::exception& e) {
            spdlog::warn("GET /v1/orders: {}", e.what());
            return call->fail(503, "store_unavailable",
                              "the order store is unavailable for the moment; retry", "1");
        }
        // The view's copy of an order is the newer; the store's adds what the view dropped.
        for (auto& order : stored) {
            const bool seen = std::any_of(finished.begin(), finished.end(),
                                          [&](const auto& o) { return o.id == order.id; });
            if (!seen) finished.push_back(std::move(order));
        }
        // The stores' order (OrderHistory::closed_orders).
        std::sort(finished.begin(), finished.end(), [](const auto& a, const auto& b) {
            const auto a_ms = to_millis(a.updated);
            const auto b_ms = to_millis(b.updated);
            return a_ms != b_ms ? a_ms > b_ms : a.id > b.id;
        });
        found.insert(found.end(), finished.begin(), finished.end());
        answer_orders(*call, *catalog, found, limit);
    });
}

}  // namespace xtrader::api
