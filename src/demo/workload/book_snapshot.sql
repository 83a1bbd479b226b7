-- The latest order-book snapshot of an instrument.
SELECT "Taken At", "Best Bid", "Best Ask", "Depth"
FROM "Order ""Book"" Snapshots"
WHERE "Instrument Id" = $1
ORDER BY "Taken At" DESC
LIMIT 1
