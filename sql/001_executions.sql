-- Every execution of the exchange, one row per trade, written by the persister (consumer group
-- execution_processors) from the Redis stream `executions`. exec_id is the engine's dense
-- execution id: ON CONFLICT (exec_id) DO NOTHING makes a redelivered entry harmless.
-- Prices, quantities and fees are exact decimals; times are milliseconds since the Unix epoch.
CREATE TABLE executions (
    exec_id          BIGINT PRIMARY KEY,
    sequence         BIGINT NOT NULL,
    symbol           TEXT NOT NULL,
    price            NUMERIC NOT NULL,
    quantity         NUMERIC NOT NULL,
    taker_side       TEXT NOT NULL CHECK (taker_side IN ('Buy', 'Sell')),
    taker_order_id   BIGINT NOT NULL,
    maker_order_id   BIGINT NOT NULL,
    taker_account    INTEGER NOT NULL,
    maker_account    INTEGER NOT NULL,
    taker_fee        NUMERIC NOT NULL,
    maker_fee        NUMERIC NOT NULL,
    fee_asset        TEXT NOT NULL,
    taker_remaining  NUMERIC NOT NULL,
    maker_remaining  NUMERIC NOT NULL,
    transaction_time BIGINT NOT NULL,
    persisted_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- GET /v1/execution: an account's executions, newest first, optionally by symbol, order, time.
CREATE INDEX executions_taker_account ON executions (taker_account, transaction_time DESC);
CREATE INDEX executions_maker_account ON executions (maker_account, transaction_time DESC);
CREATE INDEX executions_taker_order ON executions (taker_order_id);
CREATE INDEX executions_maker_order ON executions (maker_order_id);
