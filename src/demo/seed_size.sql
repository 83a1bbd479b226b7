-- How many rows the demo data has: row counts follow the custom setting pgmedic.scale (1.0: 50k users, 500k orders, ~600k trades, 300k candles, 200k audit_logs …); seed_accounts.sql and seed_market.sql read this session's temp table.
CREATE TEMP TABLE seed_size AS
SELECT greatest(50, round(1000 * s))::int       AS instruments,
       greatest(100, round(50000 * s))::bigint  AS users,
       greatest(100, round(500000 * s))::bigint AS orders,
       greatest(50, round(1000 * s))::int       AS candle_instruments,
       greatest(100, round(100000 * s))::bigint AS alerts,
       greatest(100, round(200000 * s))::bigint AS notifications,
       greatest(100, round(200000 * s))::bigint AS audit_logs,
       greatest(100, round(60000 * s))::bigint  AS watchlists,
       greatest(100, round(150000 * s))::bigint AS positions
FROM (SELECT current_setting('pgmedic.scale')::numeric AS s) AS setting
