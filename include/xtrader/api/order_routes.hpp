// The order routes: POST /v1/order, POST /v1/order/cancel, DELETE, PATCH and GET
// /v1/order/{id}, GET /v1/order?client_order_id=, GET and DELETE /v1/orders. Requests are decoded
// on the io thread (order_requests.hpp) and only a well-formed command reaches the sequencer; the
// answer comes from its completion thread. An order that has left the view is read from the order
// history (the trade store, or PostgreSQL) on a store reader, never on an io thread. Thread-safe.
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <functional>
#include <string_view>

#include "xtrader/api/access_control.hpp"
#include "xtrader/api/order_view.hpp"
#include "xtrader/api/rest_call.hpp"
#include "xtrader/store/trade_store.hpp"

namespace xtrader::api {

class OrderRoutes {
  public:
    OrderRoutes(const MarketCatalog& catalog, Sequencer& sequencer, const OrderView& orders,
                OrderHistory& store, AccessControl& access, boost::asio::thread_pool& store_reads);

    void submit(const RestCallPtr& call);
    // id_text: the path's id (DELETE), or empty for POST /v1/order/cancel's body.
    void cancel(const RestCallPtr& call, std::string_view id_text);
    void amend(const RestCallPtr& call, std::string_view id_text);
    void cancel_all(const RestCallPtr& call);
    void get(const RestCallPtr& call, std::string_view id_text);
    void get_by_client_id(const RestCallPtr& call);
    void list(const RestCallPtr& call);

  private:
    void cancel_order(const RestCallPtr& call, OrderId id);
    // The order from the order history, on a store reader (503 when the store fails).
    void read_order(const RestCallPtr& call, OrderId id,
                    std::function<void(const std::optional<OrderRecord>&)> answer);
    // The account's order with that client_order_id from the order history, on a store reader.
    void read_by_client_id(const RestCallPtr& call, const ClientOrderId& client_order_id,
                           std::function<void(const std::optional<OrderRecord>&)> answer);

    const MarketCatalog& catalog_;
    Sequencer& sequencer_;
    const OrderView& orders_;
    OrderHistory& store_;
    AccessControl& access_;
    boost::asio::thread_pool& store_reads_;
};

}  // namespace xtrader::api
