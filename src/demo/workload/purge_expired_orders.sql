-- Housekeeping deletes a few old expired orders; trades.order_id has no index, so each deleted order makes the foreign-key check scan all of trades.
DELETE FROM orders
WHERE id IN (SELECT id FROM orders
             WHERE status = 'expired' AND created_at < now() - interval '90 days'
             ORDER BY id
             LIMIT 3)
