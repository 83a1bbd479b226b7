-- An account's latest fills (indexed); the api then looks up each row's instrument on its own (N+1).
SELECT id, instrument_id, side, quantity, price, executed_at
FROM trades
WHERE account_id = $1
ORDER BY executed_at DESC
LIMIT 20
