-- Leaves an INVALID index behind: a deploy tried to enforce uniqueness of external trade ids, but the venue resends some fills, so the concurrent build fails on a duplicate and the half-built index stays (pg_index.indisvalid = false), still maintained on every insert into trades.
CREATE UNIQUE INDEX CONCURRENTLY trades_external_trade_id_key ON trades (external_trade_id)
