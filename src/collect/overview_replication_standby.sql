-- pgmedic: on a standby, how far replay is behind: since the last replayed commit, and WAL received but not replayed.
SELECT 'this standby'::text AS name,
       ''::text AS client,
       CASE WHEN pg_last_wal_receive_lsn() IS NULL THEN 'not streaming' ELSE 'streaming' END AS state,
       CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0::float8
            ELSE extract(epoch FROM clock_timestamp() - pg_last_xact_replay_timestamp())::float8 END
           AS lag_seconds,
       pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn())::float8 AS lag_bytes
-- pgmedic: end
