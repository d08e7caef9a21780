-- Every order's latest state, written by the order-history consumer group from the Kafka topic
-- order-events. An upsert moves a row only forward in (sequence, change), so a replayed or
-- reordered older event changes nothing. Prices, quantities and amounts are exact decimals;
-- times are milliseconds since the Unix epoch.
CREATE TABLE orders (
    order_id           BIGINT PRIMARY KEY,
    account_id         INTEGER NOT NULL,
    client_order_id    TEXT,
    symbol             TEXT NOT NULL,
    side               TEXT NOT NULL CHECK (side IN ('Buy', 'Sell')),
    order_type         TEXT NOT NULL,
    time_in_force      TEXT NOT NULL,
    post_only          BOOLEAN NOT NULL,
    status             TEXT NOT NULL,
    reason             TEXT NOT NULL,
    price              NUMERIC NOT NULL,
    quantity           NUMERIC NOT NULL,
    filled_quantity    NUMERIC NOT NULL,
    filled_amount      NUMERIC NOT NULL,
    sequence           BIGINT NOT NULL,
    change             INTEGER NOT NULL,
    created_time       BIGINT NOT NULL,
    updated_time       BIGINT NOT NULL
);

-- GET /v1/orders: an account's orders, newest first.
CREATE INDEX orders_by_account ON orders (account_id, order_id DESC);
