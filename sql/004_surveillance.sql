-- Surveillance: every alert the regulatory and analytics groups raise, stored once (its id
-- derives from the events that raised it, so a replay inserts nothing), and the regulatory
-- report of every large trade. Times are milliseconds since the Unix epoch; prices, quantities
-- and notionals exact decimals.
CREATE TABLE alerts (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL,
    severity    TEXT NOT NULL,
    symbol      TEXT NOT NULL,
    accounts    BIGINT[] NOT NULL,
    -- The orders and executions that raised it: {"executions":["2"],"orders":["1004","1005"]}
    -- (decimal strings, as the API answers ids).
    evidence    JSONB NOT NULL,
    summary     TEXT NOT NULL,
    sequence    BIGINT NOT NULL,
    alert_time  BIGINT NOT NULL
);
-- GET /v1/admin/alerts: newest first, by account.
CREATE INDEX alerts_by_time ON alerts (alert_time DESC);
CREATE INDEX alerts_by_account ON alerts USING GIN (accounts);

CREATE TABLE regulatory_reports (
    exec_id          BIGINT PRIMARY KEY,
    alert_id         TEXT NOT NULL,
    symbol           TEXT NOT NULL,
    buy_account      BIGINT NOT NULL,
    sell_account     BIGINT NOT NULL,
    price            NUMERIC NOT NULL,
    quantity         NUMERIC NOT NULL,
    notional         NUMERIC NOT NULL,
    transaction_time BIGINT NOT NULL
);
CREATE INDEX regulatory_reports_by_time ON regulatory_reports (transaction_time);
