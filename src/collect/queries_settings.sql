-- pgmedic: the settings the Queries pane reads its figures against (I/O timing, work_mem, block size, pg_stat_statements' limits) and whether this role may reset the statistics.
SELECT extract(epoch FROM clock_timestamp())::float8 AS taken_at,
       current_setting('track_io_timing')::bool AS track_io_timing,
       pg_size_bytes(current_setting('work_mem'))::int8 AS work_mem_bytes,
       current_setting('block_size')::int8 AS block_size,
       current_setting('pg_stat_statements.max', true)::int8 AS max_entries,
       current_setting('pg_stat_statements.track', true) AS track,
       coalesce((SELECT bool_or(has_function_privilege(p.oid, 'EXECUTE'))
                   FROM pg_proc p
                  WHERE p.proname = 'pg_stat_statements_reset'), false) AS can_reset
-- pgmedic: end
