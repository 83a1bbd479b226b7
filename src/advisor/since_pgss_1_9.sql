-- pgmedic: seconds pg_stat_statements has been counting since its last reset.
SELECT extract(epoch FROM now() - stats_reset)::float8 AS seconds FROM pg_stat_statements_info
-- pgmedic: end
