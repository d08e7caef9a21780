-- A market's executions in exec id order: how an MDP rebuilds its market data (candles, trades)
-- when the Kafka topic no longer holds the beginning of the market's partition.
CREATE INDEX executions_market ON executions (symbol, exec_id);
