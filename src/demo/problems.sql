-- Planted problems: each block is one finding a DBA (and pgmedic) should surface, with the story
-- that usually produces it. The loader runs this after seed*.sql and indexes.sql, then builds the
-- invalid index (invalid_index.sql: CREATE INDEX CONCURRENTLY cannot run in a transaction block).
--
-- Missing indexes are planted by absence (schema.sql, indexes.sql) and made visible by the
-- workload, which runs these shapes every second or two:
--   orders  WHERE user_id = $1 AND status = $2 ORDER BY created_at DESC   (seq scan of orders)
--   trades  WHERE instrument_id = $1 AND executed_at >= $2 AND < $3       (seq scan of trades)
--   alerts  WHERE user_id = $1 AND status = 'active'                      (seq scan of alerts)
-- The same absences leave foreign keys without a supporting index: orders.user_id,
-- trades.order_id (every DELETE of an order scans all trades), trades.instrument_id,
-- alerts.user_id.

-- Unused indexes: created "in case someone filters on it", never scanned, yet every insert into
-- these hot tables pays to maintain them.
CREATE INDEX trades_venue_idx ON trades (venue);
CREATE INDEX audit_logs_ip_idx ON audit_logs (ip);
CREATE INDEX audit_logs_action_idx ON audit_logs (action);

-- Duplicate index: a second migration added the index the first one already created, under
-- another name. Same table, same columns, same everything: one of them is pure write cost.
CREATE INDEX idx_trades_account_time ON trades (account_id, executed_at);

-- Redundant prefix index: (account_id) is the leading column of
-- orders_account_id_created_at_idx, which serves every query this one could.
CREATE INDEX orders_account_id_idx ON orders (account_id);

-- Bloat: someone disabled autovacuum on positions because "vacuum slowed the risk engine
-- down". A revaluation rewrote half of the rows and closed positions were deleted, so nearly
-- half of the table is dead tuples nobody will ever reclaim (the risk engine keeps adding more).
ALTER TABLE positions SET (autovacuum_enabled = false);
UPDATE positions SET unrealized_pnl = unrealized_pnl * 1.01, updated_at = updated_at + interval '1 second'
WHERE id % 2 = 0;
DELETE FROM positions WHERE id % 5 = 0;

-- Never analyzed: the snapshot importer switches autovacuum off for its bulk loads and never
-- switches it back on; nobody runs ANALYZE on the table either, so the planner has no
-- statistics for it at all (pg_class.reltuples = -1, last_analyze and last_autoanalyze null).
ALTER TABLE "Order ""Book"" Snapshots" SET (autovacuum_enabled = false);
-- Its unused index (whose name is hostile too: dropping it from pgmedic must quote both names)
-- is built while the table is still empty; built afterwards, it would record a row count in
-- pg_class.reltuples.
CREATE INDEX "Snapshots by ""Best Bid""" ON "Order ""Book"" Snapshots" ("Best Bid");
INSERT INTO "Order ""Book"" Snapshots" ("Instrument Id", "Taken At", "Best Bid", "Best Ask", "Depth")
SELECT inst, date_trunc('minute', now()) - interval '1 minute' * m,
       mid * (1 - spread), mid * (1 + spread),
       jsonb_build_object('bid_levels', 5 + m % 20, 'ask_levels', 5 + (m * 7) % 20, 'source', 'consolidated')
FROM (SELECT inst, m, (10 + (inst * 37) % 490) * (1 + 0.01 * sin(m / 60.0::float8)) AS mid,
             0.0002 + 0.0003 * ((inst + m) % 7) / 7.0::float8 AS spread
      FROM generate_series(1, least(200, (SELECT count(*) FROM instruments)::int)) AS inst,
           generate_series(0, greatest(20, round(250 * current_setting('pgmedic.scale')::numeric))::int - 1) AS m) AS s;

-- Statistics for every other table, as a careful loader gathers them (seed_market.sql analyzed
-- the market-data tables already).
ANALYZE users, accounts, orders, trades, positions;
