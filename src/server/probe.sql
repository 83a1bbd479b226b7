-- pgmedic: what server this is: version, standby or primary, the role's privileges, connection limits, this session's settings.
SELECT current_setting('server_version_num')::int4 AS version_num,
       current_setting('server_version') AS version,
       pg_is_in_recovery() AS is_standby,
       current_user::text AS role,
       current_database()::text AS database,
       pg_backend_pid() AS backend_pid,
       r.rolsuper AS superuser,
       pg_has_role(current_user, 'pg_monitor', 'USAGE') AS pg_monitor,
       pg_has_role(current_user, 'pg_read_all_stats', 'USAGE') AS pg_read_all_stats,
       pg_has_role(current_user, 'pg_signal_backend', 'USAGE') AS pg_signal_backend,
       current_setting('max_connections')::int4 AS max_connections,
       current_setting('superuser_reserved_connections')::int4 AS superuser_reserved_connections,
       -- Visible to superusers and pg_read_all_settings only: NULL for everyone else.
       (SELECT setting FROM pg_settings WHERE name = 'shared_preload_libraries') AS shared_preload_libraries,
       current_setting('default_transaction_read_only') AS default_transaction_read_only,
       current_setting('statement_timeout') AS statement_timeout
  FROM pg_roles r
 WHERE r.rolname = current_user
-- pgmedic: end
