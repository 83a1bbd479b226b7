-- pgmedic: per-database cumulative counters (transactions, cache, temp files, deadlocks) for rates between two samples.
SELECT d.datid::int8 AS datid,
       coalesce(d.datname::text, '') AS datname,
       extract(epoch FROM d.stats_reset)::float8 AS stats_reset,
       d.xact_commit, d.xact_rollback, d.blks_hit, d.blks_read,
       d.temp_files, d.temp_bytes, d.deadlocks
  FROM pg_stat_database d
-- pgmedic: end
