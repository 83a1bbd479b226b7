-- The chart of an instrument: its latest hourly candles (served by the primary key).
SELECT c.bucket, c.open, c.high, c.low, c.close, c.volume
FROM candles AS c
WHERE c.instrument_id = $1 AND c.interval = '1h'
ORDER BY c.bucket DESC
LIMIT 100
