-- The account's position in the instrument after a fill.
INSERT INTO positions (account_id, instrument_id, quantity, avg_cost, updated_at)
VALUES ($1, $2, $3::float8, $4::float8, now())
ON CONFLICT (account_id, instrument_id)
DO UPDATE SET quantity = positions.quantity + excluded.quantity, updated_at = excluded.updated_at
