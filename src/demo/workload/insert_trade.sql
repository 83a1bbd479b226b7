-- The fill of an order as a trade.
INSERT INTO trades (order_id, account_id, instrument_id, side, quantity, price, fee, liquidity, venue, external_trade_id)
VALUES ($1, $2, $3, $4, $5::float8, $6::float8, $5::float8 * $6::float8 * 0.0005, 'maker', $7, 'FIX-' || $1::bigint || '-1')
