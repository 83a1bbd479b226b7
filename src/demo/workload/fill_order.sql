-- An execution report: the order is filled at its limit price (returns what the trade needs).
UPDATE orders
SET status = 'filled', filled_quantity = quantity, avg_fill_price = limit_price, updated_at = now()
WHERE id = $1 AND status = 'new'
RETURNING account_id, instrument_id, side, quantity::float8, limit_price::float8
