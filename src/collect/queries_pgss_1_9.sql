-- pgmedic: every statement's cumulative figures without its text (texts are fetched once), with the server's clock, pg_stat_statements 1.9 and 1.10 (statements inside functions apart under toplevel).
SELECT s.userid::int8 AS userid, s.dbid::int8 AS dbid, s.queryid, s.toplevel,
       s.calls, s.total_exec_time AS total_ms, s.min_exec_time AS min_ms,
       s.max_exec_time AS max_ms, s.mean_exec_time AS mean_ms, s.stddev_exec_time AS stddev_ms,
       s.rows, s.shared_blks_hit, s.shared_blks_read, s.temp_blks_written,
       s.blk_read_time AS blk_read_ms, s.blk_write_time AS blk_write_ms,
       s.wal_bytes::float8 AS wal_bytes,
       NULL::float8 AS stats_since, NULL::float8 AS minmax_stats_since,
       extract(epoch FROM clock_timestamp())::float8 AS taken_at
  FROM pg_stat_statements(false) s
-- pgmedic: end
