-- The market-data importer stores a new order-book snapshot.
INSERT INTO "Order ""Book"" Snapshots" ("Instrument Id", "Taken At", "Best Bid", "Best Ask", "Depth")
VALUES ($1, clock_timestamp(), $2::float8, $3::float8,
        jsonb_build_object('bids', jsonb_build_array(jsonb_build_array($2::float8, 100)),
                           'asks', jsonb_build_array(jsonb_build_array($3::float8, 100))))
ON CONFLICT DO NOTHING
