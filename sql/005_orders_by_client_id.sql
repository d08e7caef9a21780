-- GET /v1/order?client_order_id= for orders the exchange no longer keeps in memory.
CREATE INDEX orders_by_client_id ON orders (account_id, client_order_id)
    WHERE client_order_id IS NOT NULL;
