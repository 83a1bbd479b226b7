-- pgmedic: checkpoints so far, timed and requested, from pg_stat_bgwriter, and the WAL written (14 to 16).
SELECT b.checkpoints_timed AS timed,
       b.checkpoints_req AS requested,
       NULL::int8 AS done,
       NULL::int8 AS restartpoints_timed,
       NULL::int8 AS restartpoints_requested,
       NULL::int8 AS restartpoints_done,
       b.checkpoint_write_time::float8 AS write_time_ms,
       b.checkpoint_sync_time::float8 AS sync_time_ms,
       b.buffers_checkpoint AS buffers_written,
       extract(epoch FROM b.stats_reset)::float8 AS stats_reset,
       w.wal_bytes::float8 AS wal_bytes,
       extract(epoch FROM w.stats_reset)::float8 AS wal_stats_reset,
       extract(epoch FROM clock_timestamp())::float8 AS taken_at
  FROM pg_stat_bgwriter b, pg_stat_wal w
-- pgmedic: end
