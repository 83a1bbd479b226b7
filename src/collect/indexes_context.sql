-- pgmedic: what weighs on "never scanned": the server's clock, this database's last stats reset and the physical standbys streaming from this server (their scans are not counted here).
SELECT extract(epoch FROM clock_timestamp())::float8 AS taken_at,
       current_database()::text AS database,
       (SELECT extract(epoch FROM stats_reset)::float8
          FROM pg_stat_database WHERE datname = current_database()) AS stats_reset,
       (SELECT count(*) FROM pg_stat_replication r
         WHERE r.state IS DISTINCT FROM 'backup'
           AND NOT EXISTS (SELECT 1 FROM pg_replication_slots s
                            WHERE s.active_pid = r.pid AND s.slot_type = 'logical'))::int8 AS standbys
-- pgmedic: end
