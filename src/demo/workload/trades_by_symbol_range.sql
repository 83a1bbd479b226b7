-- The trade tape of a symbol over a time range: no index on trades (instrument_id, executed_at), so every call scans trades.
SELECT t.id, t.side, t.quantity, t.price, t.executed_at
FROM trades AS t
JOIN instruments AS i ON i.id = t.instrument_id
WHERE i.symbol = $1 AND t.executed_at >= $2 AND t.executed_at < $3
ORDER BY t.executed_at
LIMIT 500
