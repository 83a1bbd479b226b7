-- pgmedic: checkpoints so far, timed and requested, from pg_stat_bgwriter (12 and 13: no pg_stat_wal).
SELECT checkpoints_timed AS timed,
       checkpoints_req AS requested,
       NULL::int8 AS done,
       NULL::int8 AS restartpoints_timed,
       NULL::int8 AS restartpoints_requested,
       NULL::int8 AS restartpoints_done,
       checkpoint_write_time::float8 AS write_time_ms,
       checkpoint_sync_time::float8 AS sync_time_ms,
       buffers_checkpoint AS buffers_written,
       extract(epoch FROM stats_reset)::float8 AS stats_reset,
       NULL::float8 AS wal_bytes,
       NULL::float8 AS wal_stats_reset,
       extract(epoch FROM clock_timestamp())::float8 AS taken_at
  FROM pg_stat_bgwriter
-- pgmedic: end
