-- pgmedic: what re-planning can use in this database: HypoPG (installed version, schema, whether it can hide an index: hypopg_hide_index, 1.4+; the version the server could install), pg_stat_statements' installed version and the server's version.
SELECT (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'hypopg') AS hypopg,
       (SELECT n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
         WHERE e.extname = 'hypopg') AS hypopg_schema,
       EXISTS (SELECT 1 FROM pg_extension e JOIN pg_proc p ON p.pronamespace = e.extnamespace
                WHERE e.extname = 'hypopg' AND p.proname = 'hypopg_hide_index') AS can_hide,
       (SELECT a.default_version FROM pg_available_extensions a WHERE a.name = 'hypopg') AS hypopg_available,
       (SELECT e.extversion FROM pg_extension e WHERE e.extname = 'pg_stat_statements') AS pgss,
       current_setting('server_version_num')::int4 AS version_num
-- pgmedic: end
