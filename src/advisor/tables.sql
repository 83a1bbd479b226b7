-- pgmedic: tables the advisor considers: size estimates from pg_class and writes since the statistics were reset.
SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
       c.reltuples::float8 AS rows, c.relpages::int8 AS pages,
       s.n_tup_ins::int8 AS inserted, s.n_tup_upd::int8 AS updated,
       s.n_tup_hot_upd::int8 AS hot_updated, s.n_tup_del::int8 AS deleted,
       extract(epoch FROM now() - coalesce(d.stats_reset, pg_postmaster_start_time()))::float8 AS stats_seconds
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
  CROSS JOIN (SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()) d
 WHERE c.oid = ANY($1::oid[])
-- pgmedic: end
