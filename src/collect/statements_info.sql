-- pgmedic: how many statements pg_stat_statements evicted and when it was last reset (1.9+), to tell new entries from old ones.
SELECT dealloc, extract(epoch FROM stats_reset)::float8 AS stats_reset
  FROM pg_stat_statements_info
-- pgmedic: end
