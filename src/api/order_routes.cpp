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

// A command the engine refused, answered with its status and code.
void fail_refused(RestCall& call, RejectReason reason) {
    const auto [status, code] = http_refusal(reason);
    switch (reason) {
        case RejectReason::UnknownOrder: return call.fail(status, code, "no such order");
        case RejectReason::NotOwner:
            return call.fail(status, code, "the order belongs to another account");
        case RejectReason::OrderClosed:
            return call.fail(status, code, "the order is already filled or cancelled");
        case RejectReason::MarketHalted:
            return call.fail(status, code,
                             "the market is halted: new orders and amendments are refused, "
                             "cancels accepted");
        case RejectReason::InsufficientBalance:
            return call.fail(status, code,
                             "the account's available balance does not cover this order");
        case RejectReason::PriceOutOfBand:
            return call.fail(status, code,
                             "the price is too far from the last trade (the market's price band)");
        default: return call.fail(status, code, "the engine refused the order");
    }
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
    if (!placed) return fail_refused(call, reply.result);
    std::vector<ExecutionRecord> fills;
    for (const auto& event : reply.events) {
        const auto* trade = std::get_if<Trade>(&event);
        if (trade == nullptr) continue;
        const auto [taker, maker] = execution_rows(*trade, reply.timestamp, reply.sequence);
        if (trade->taker_order_id == placed->id) fills.push_back(taker);
        // A stop order that its own trades triggered may take from it once it rests.
        if (trade->maker_order_id == placed->id) fills.push_back(maker);
    }
    call.reply(200, order_body(catalog, *placed, &fills));
}

// GET /v1/orders' answer: at most `limit` orders, newest first; a full page names where it
// stopped (`next`: the last order's id).
void answer_orders(RestCall& call, const MarketCatalog& catalog, std::vector<OrderRecord>& found,
                   std::size_t limit) {
    std::sort(found.begin(), found.end(), [](const auto& a, const auto& b) { return a.id > b.id; });
    if (found.size() > limit) found.resize(limit);
    std::string body;
    JsonWriter json(body);
    json.begin_object().key("orders").begin_array();
    for (const auto& order : found) {
        const auto& m = catalog.markets[order.market];
        write_order(json, m, catalog.assets[m.quote], order);
    }
    json.end_array().key("next");
    if (found.size() < limit) {
        json.null();
    } else {
        json.string(std::to_string(found.back().id));
    }
    json.end_object();
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
    submitted(
        *call,
        sequencer_.submit(
            CancelOrder{account, id},
            [call, id, account, view = &orders_, catalog = &catalog_](const CommandReply& reply) {
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
                RejectReason reason = reply.result;
                if (reason == RejectReason::UnknownOrder) {
                    // Forgotten by the engine but still in the view: finished long ago.
                    if (const auto known = view->find(id)) {
                        reason = known->account == account ? RejectReason::OrderClosed
                                                           : RejectReason::NotOwner;
                    }
                }
                fail_refused(*call, reason);
            }));
}

void OrderRoutes::amend(const RestCallPtr& call, std::string_view id_text) {
    if (!access_.authenticate(*call, KeyScope::Trading) || !require_json(*call)) return;
    const auto decoded_id = decode_order_id(id_text);
    if (const auto* error = std::get_if<ApiError>(&decoded_id)) return call->fail(*error);
    const OrderId id = std::get<OrderId>(decoded_id);
    const AccountId account = call->principal.account;
    // The view holds every open order: one it lacks has finished (in the history) or never was.
    const auto order = orders_.find(id);
    if (!order || !order->open() || order->account != account) {
        const auto refuse = [call, account](const std::optional<OrderRecord>& found) {
            if (!found) return fail_refused(*call, RejectReason::UnknownOrder);
            fail_refused(*call, found->account != account ? RejectReason::NotOwner
                                                          : RejectReason::OrderClosed);
        };
        if (order) return refuse(order);
        return read_order(call, id, refuse);
    }
    auto decoded = decode_amend_order(call->request().body(), catalog_.markets[order->market]);
    if (const auto* error = std::get_if<ApiError>(&decoded)) return call->fail(*error);
    AmendOrder amend = std::get<AmendOrder>(decoded);
    amend.account = account;
    amend.order_id = id;
    submitted(*call, sequencer_.submit(amend, [call, id, view = &orders_,
                                               catalog = &catalog_](const CommandReply& reply) {
        if (reply.result != RejectReason::None) return fail_refused(*call, reply.result);
        // The view has the amended order: it is written before the reply.
        const auto amended = view->find(id);
        if (!amended) return call->fail(500, "internal", "the amended order is not in the view");
        call->reply(200, order_body(*catalog, *amended));
    }));
}

void OrderRoutes::cancel_all(const RestCallPtr& call) {
    if (!access_.authenticate(*call, KeyScope::Trading)) return;
    std::optional<MarketId> market;
    if (!query_market(*call, catalog_, market)) return;
    const CancelAllOrders command{call->principal.account, market.value_or(kAllMarkets)};
    submitted(*call, sequencer_.submit(command, [call](const CommandReply& reply) {
        if (reply.result != RejectReason::None) return fail_refused(*call, reply.result);
        std::string body;
        JsonWriter json(body);
        json.begin_object().key("cancelled").begin_array();
        for (const auto& event : reply.events) {
            if (const auto* cancelled = std::get_if<OrderCancelled>(&event)) {
                json.string(std::to_string(cancelled->order_id));
            }
        }
        json.end_array();
        json.key("sequence").number(reply.sequence);
        json.key("timestamp").number(to_millis(reply.timestamp));
        json.end_object();
        call->reply(200, std::move(body));
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
    // Finished long ago: out of the view, in the store.
    read_order(call, id, answer);
}

void OrderRoutes::read_order(const RestCallPtr& call, OrderId id,
                             std::function<void(const std::optional<OrderRecord>&)> answer) {
    boost::asio::post(store_reads_, [call, id, answer = std::move(answer), store = &store_] {
        std::optional<OrderRecord> order;
        try {
            order = store->order(id);
        } catch (const std::exception& e) {
            spdlog::warn("order {} from the store: {}", id, e.what());
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
    // Newest first by id, which never changes: a page goes on below the previous page's last
    // order, and orders placed meanwhile (higher ids) never shift it.
    std::optional<OrderId> before;
    if (const auto* text = call->target().param("cursor")) {
        const auto id = parse_unsigned(*text);
        if (!id || *id == 0) {
            return call->fail(400, "invalid_cursor",
                              "cursor must be the `next` of the previous page");
        }
        before = *id;
    }
    const AccountId account = call->principal.account;
    std::vector<OrderRecord> found;
    if (status != "closed") {
        found = orders_.open_orders(account, market);
        if (before) std::erase_if(found, [&](const auto& o) { return o.id >= *before; });
    }
    if (status == "open") return answer_orders(*call, catalog_, found, limit);
    auto finished = orders_.finished_orders(account, market, limit, before);
    // The view keeps the last finished orders, whatever their ids: once it has dropped some, a
    // newer id may be in the store only.
    if (!orders_.forgets()) {
        found.insert(found.end(), finished.begin(), finished.end());
        return answer_orders(*call, catalog_, found, limit);
    }
    // The view has dropped finished orders: older ones are in the store, which may block.
    boost::asio::post(store_reads_, [call, account, market, limit, before, found = std::move(found),
                                     finished = std::move(finished), store = &store_,
                                     catalog = &catalog_]() mutable {
        std::vector<OrderRecord> stored;
        try {
            stored = store->closed_orders(account, market, limit, before);
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
        found.insert(found.end(), finished.begin(), finished.end());
        answer_orders(*call, *catalog, found, limit);
    });
}

}  // namespace xtrader::api
