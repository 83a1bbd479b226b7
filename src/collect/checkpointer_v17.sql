-- pgmedic: checkpoints and restartpoints so far from pg_stat_checkpointer (17: moved out of pg_stat_bgwriter), and the WAL written.
SELECT c.num_timed AS timed,
       c.num_requested AS requested,
       NULL::int8 AS done,
       c.restartpoints_timed AS restartpoints_timed,
       c.restartpoints_req AS restartpoints_requested,
       c.restartpoints_done AS restartpoints_done,
       c.write_time::float8 AS write_time_ms,
       c.sync_time::float8 AS sync_time_ms,
       c.buffers_written AS buffers_written,
       extract(epoch FROM c.stats_reset)::float8 AS stats_reset,
       w.wal_bytes::float8 AS wal_bytes,
       extract(epoch FROM w.stats_reset)::float8 AS wal_stats_reset,
       extract(epoch FROM clock_timestamp())::float8 AS taken_at
  FROM pg_stat_checkpointer c, pg_stat_wal w
-- pgmedic: end
