-- pgmedic: every backend with its state, wait, durations by the server's clock, the query (cut to $1 characters), the sessions blocking it (lock waiters only), its xid and xmin, and whether this role may signal it.
WITH now AS MATERIALIZED (SELECT clock_timestamp() AS t)
SELECT extract(epoch FROM now.t)::float8 AS taken_at,
       a.pid,
       NULL::int4 AS leader_pid,
       a.backend_type,
       a.datname::text AS database,
       a.usename::text AS usename,
       a.application_name,
       host(a.client_addr) AS client_addr,
       a.client_hostname,
       a.client_port,
       a.state,
       a.wait_event_type,
       a.wait_event,
       extract(epoch FROM now.t - a.backend_start)::float8 AS backend_secs,
       extract(epoch FROM now.t - a.xact_start)::float8 AS xact_secs,
       extract(epoch FROM now.t - a.query_start)::float8 AS query_secs,
       extract(epoch FROM now.t - a.state_change)::float8 AS state_secs,
       -- Exact and unambiguous: an action names the backend by pid and start, so a pid reused
       -- by a new backend in the meantime is left alone.
       to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS backend_start,
       NULL::int8 AS query_id,
       left(a.query, $1) AS query,
       length(a.query) AS query_length,
       -- pg_blocking_pids takes every lock-manager partition lock: only for lock waiters.
       -- A session of another role hides its wait from a role without pg_read_all_stats, but
       -- pg_locks and pg_blocking_pids are open to every role: its waits are found there.
       CASE WHEN a.wait_event_type = 'Lock'
              OR (a.state IS NULL AND a.pid IN (SELECT pid FROM pg_locks WHERE NOT granted))
            THEN pg_blocking_pids(a.pid) END AS blocked_by,
       a.backend_xid::text::int8 AS backend_xid,
       a.backend_xmin::text::int8 AS backend_xmin,
       age(a.backend_xid) AS xid_age,
       age(a.backend_xmin) AS xmin_age,
       r.rolsuper AS role_superuser,
       -- What pg_cancel_backend checks: the privileges of the session's role (a dropped role
       -- has no row, and pg_has_role would fail on it).
       CASE WHEN r.oid IS NULL THEN false ELSE pg_has_role(r.oid, 'USAGE') END AS role_member,
       a.pid = pg_backend_pid() AS is_self
  FROM now
 CROSS JOIN pg_stat_activity a
  LEFT JOIN pg_roles r ON r.oid = a.usesysid
-- pgmedic: end
