-- pgmedic: bloat_settings: the autovacuum settings its triggers are computed from (NULL where this server version has no such setting), the block size and the server clock.
SELECT extract(epoch FROM clock_timestamp())::float8 AS server_now,
       current_setting('block_size')::int4 AS block_size,
       current_setting('autovacuum')::bool AS autovacuum,
       current_setting('track_counts')::bool AS track_counts,
       current_setting('autovacuum_vacuum_threshold')::float8 AS vacuum_threshold,
       current_setting('autovacuum_vacuum_scale_factor')::float8 AS vacuum_scale_factor,
       current_setting('autovacuum_vacuum_max_threshold', true)::float8 AS vacuum_max_threshold,
       current_setting('autovacuum_vacuum_insert_threshold', true)::float8 AS insert_threshold,
       current_setting('autovacuum_vacuum_insert_scale_factor', true)::float8 AS insert_scale_factor,
       current_setting('autovacuum_analyze_threshold')::float8 AS analyze_threshold,
       current_setting('autovacuum_analyze_scale_factor')::float8 AS analyze_scale_factor,
       current_setting('autovacuum_freeze_max_age')::int8 AS freeze_max_age,
       current_setting('autovacuum_multixact_freeze_max_age')::int8 AS multixact_freeze_max_age
-- pgmedic: end
