-- pgmedic: client connections by state, lock waits, idle-in-transaction and oldest transaction ages, by the server's clock (sessions another role's privileges hide count as hidden).
WITH a AS (
    SELECT *,
           backend_type = 'client backend'
           -- Without pg_read_all_stats, other roles' sessions show no backend_type or state;
           -- those connected to a database as a role are client sessions.
           OR (backend_type IS NULL AND datid IS NOT NULL AND usesysid IS NOT NULL) AS client
      FROM pg_stat_activity
)
SELECT extract(epoch FROM clock_timestamp())::float8 AS taken_at,
       pg_is_in_recovery() AS is_standby,
       count(*) FILTER (WHERE client)::int8 AS connections,
       count(*) FILTER (WHERE client AND state = 'active')::int8 AS active,
       count(*) FILTER (WHERE client AND state = 'idle')::int8 AS idle,
       count(*) FILTER (WHERE state = 'idle in transaction')::int8 AS idle_in_transaction,
       count(*) FILTER (WHERE state = 'idle in transaction (aborted)')::int8 AS idle_in_transaction_aborted,
       count(*) FILTER (WHERE state = 'fastpath function call')::int8 AS fastpath,
       count(*) FILTER (WHERE client AND state IS NULL)::int8 AS state_hidden,
       count(*) FILTER (WHERE wait_event_type = 'Lock')::int8 AS waiting_on_locks,
       -- Before 14 the wait's start is not recorded: the statement's start bounds it from above.
       extract(epoch FROM max(clock_timestamp() - query_start) FILTER (WHERE wait_event_type = 'Lock'))::float8
           AS longest_lock_wait,
       extract(epoch FROM max(clock_timestamp() - state_change)
           FILTER (WHERE state LIKE 'idle in transaction%'))::float8 AS oldest_idle_in_transaction,
       extract(epoch FROM max(clock_timestamp() - xact_start)
           FILTER (WHERE client AND pid <> pg_backend_pid()))::float8 AS oldest_transaction,
       count(*) FILTER (WHERE backend_type = 'autovacuum worker')::int8 AS autovacuum_workers
  FROM a
-- pgmedic: end
