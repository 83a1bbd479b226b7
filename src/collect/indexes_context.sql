-- pgmedic: what weighs on "never scanned": the server's clock, this database's last stats reset, when the server's statistics last started from nothing (initdb, crash recovery, upgrade: they set the bgwriter's and the archiver's reset times, which a manual reset only moves later) and the physical standbys streaming from this server (their scans are not counted here).
SELECT extract(epoch FROM clock_timestamp())::float8 AS taken_at,
       current_database()::text AS database,
       (SELECT extract(epoch FROM stats_reset)::float8
          FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
       extract(epoch FROM least((SELECT stats_reset FROM pg_stat_bgwriter),
                                (SELECT stats_reset FROM pg_stat_archiver)))::float8 AS stats_started,
       (SELECT count(*) FROM pg_stat_replication r
         WHERE r.state IS DISTINCT FROM 'backup'
           AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s
                            WHERE s.active_pid = r.pid AND s.slot_type = 'logical'))::int8 AS standbys
-- pgmedic: end
