-- pgmedic: seconds pg_stat_statements has been counting (before 1.9 it does not say: since the server started).
SELECT extract(epoch FROM now() - pg_postmaster_start_time())::float8 AS seconds
-- pgmedic: end
