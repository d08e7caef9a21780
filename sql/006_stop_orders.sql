-- Stop orders: the price that triggers them (NULL for other orders). Their status is
-- Untriggered until then.
ALTER TABLE orders ADD COLUMN stop_price NUMERIC;
