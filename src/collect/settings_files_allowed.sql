-- pgmedic: whether this role may read the configuration files' settings (pg_file_settings).
SELECT has_function_privilege('pg_catalog.pg_show_all_file_settings()', 'EXECUTE') AS allowed
-- pgmedic: end
