-- The risk engine marks one position to market: one single-row UPDATE per position, in a loop.
UPDATE positions SET unrealized_pnl = $2::float8, updated_at = now() WHERE id = $1
