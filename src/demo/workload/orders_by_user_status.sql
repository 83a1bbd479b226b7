-- The dashboard's order list of one user in one status: no index on orders (user_id, status), so every call scans orders.
SELECT id, instrument_id, side, type, status, quantity, limit_price, filled_quantity, created_at
FROM orders
WHERE user_id = $1 AND status = $2
ORDER BY created_at DESC
LIMIT 50
