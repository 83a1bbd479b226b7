-- Order entry: a new limit order for an account (returns the order id and its user).
INSERT INTO orders (account_id, user_id, instrument_id, client_order_id, side, type, time_in_force, status, quantity, limit_price)
SELECT a.id, a.user_id, $2, gen_random_uuid(), $3, 'limit', 'day', 'new', $4::float8, $5::float8
FROM accounts AS a
WHERE a.id = $1
RETURNING id, user_id
