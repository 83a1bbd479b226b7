-- pgmedic: every statement's cumulative figures without its text (texts are fetched once), with the server's clock, pg_stat_statements before 1.8.
SELECT s.userid::int8 AS userid, s.dbid::int8 AS dbid, s.queryid, true AS toplevel,
       s.calls, s.total_time AS total_ms, s.min_time AS min_ms, s.max_time AS max_ms,
       s.mean_time AS mean_ms, s.stddev_time AS stddev_ms, s.rows,
       s.shared_blks_hit, s.shared_blks_read, s.temp_blks_written,
       s.blk_read_time AS blk_read_ms, s.blk_write_time AS blk_write_ms,
       NULL::float8 AS wal_bytes,
       NULL::float8 AS stats_since, NULL::float8 AS minmax_stats_since,
       extract(epoch FROM clock_timestamp())::float8 AS taken_at
  FROM pg_stat_statements(false) s
-- pgmedic: end
