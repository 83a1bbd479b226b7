-- pgmedic: bloat_horizon: what holds the xmin horizon back (VACUUM cannot remove tuples that died after it): sessions with an old snapshot or transaction, replication slots, prepared transactions, standbys with hot_standby_feedback; the oldest first.
SELECT h.kind, h.name, h.database, h.detail, h.xmin_age, h.age_secs
  FROM (
    SELECT 'session' AS kind, a.pid::text AS name, coalesce(a.datname::text, '') AS database,
           concat_ws(' · ', nullif(a.usename::text, ''), nullif(a.application_name, ''), a.state,
                     left(a.query, 200)) AS detail,
           greatest(age(a.backend_xmin), age(a.backend_xid))::int8 AS xmin_age,
           extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS age_secs
      FROM pg_stat_activity a
     WHERE (a.backend_xmin IS NOT NULL OR a.backend_xid IS NOT NULL)
       AND a.pid <> pg_backend_pid()
       -- A lazy VACUUM's own snapshot does not hold back other vacuums.
       AND a.backend_type IS DISTINCT FROM 'autovacuum worker'
    UNION ALL
    SELECT 'slot', s.slot_name::text, coalesce(s.database::text, ''),
           concat_ws(' · ', s.slot_type, CASE WHEN s.active THEN 'active' ELSE 'inactive' END),
           greatest(age(s.xmin), age(s.catalog_xmin))::int8,
           NULL::float8
      FROM pg_replication_slots s
     WHERE s.xmin IS NOT NULL OR s.catalog_xmin IS NOT NULL
    UNION ALL
    SELECT 'prepared', p.gid, p.database::text, 'owner ' || p.owner::text,
           age(p.transaction)::int8,
           extract(epoch FROM clock_timestamp() - p.prepared)::float8
      FROM pg_prepared_xacts p
    UNION ALL
    SELECT 'standby', coalesce(nullif(r.application_name, ''), r.pid::text), '',
           concat_ws(' · ', host(r.client_addr), r.state, 'hot_standby_feedback'),
           age(r.backend_xmin)::int8,
           NULL::float8
      FROM pg_stat_replication r
     WHERE r.backend_xmin IS NOT NULL
  ) h
 ORDER BY h.xmin_age DESC NULLS LAST
 LIMIT 10
-- pgmedic: end
