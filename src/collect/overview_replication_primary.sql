-- pgmedic: on a primary, each standby's replay lag in time and in bytes of WAL.
SELECT coalesce(application_name, '')::text AS name,
       coalesce(client_addr::text, 'local') AS client,
       coalesce(state, '')::text AS state,
       extract(epoch FROM replay_lag)::float8 AS lag_seconds,
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::float8 AS lag_bytes
  FROM pg_stat_replication
-- pgmedic: end
