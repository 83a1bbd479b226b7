-- pgmedic: bloat_progress: every VACUUM (manual or autovacuum) and VACUUM FULL / CLUSTER running on the server, from pg_stat_progress_vacuum and pg_stat_progress_cluster, with the session's wait and how long it has run (relation names only for this database).
WITH here AS (SELECT datid FROM pg_stat_get_activity(pg_backend_pid()))
SELECT 'vacuum' AS command, p.pid, p.datname::text AS database, p.relid,
       rn.nspname::text AS schema, rc.relname::text AS name, p.phase,
       p.heap_blks_total::int8 AS blks_total, p.heap_blks_scanned::int8 AS blks_scanned,
       p.heap_blks_vacuumed::int8 AS blks_vacuumed, p.index_vacuum_count::int8 AS index_passes,
       p.num_dead_tuples::int8 AS dead_items,
       p.num_dead_tuples::float8 / nullif(p.max_dead_tuples, 0) AS memory_fill,
       NULL::int8 AS indexes_total, NULL::int8 AS indexes_processed,
       a.backend_type = 'autovacuum worker' AS autovacuum,
       coalesce(a.query LIKE '%(to prevent wraparound)%', false) AS wraparound,
       extract(epoch FROM clock_timestamp() - a.xact_start)::float8 AS running_secs,
       a.wait_event_type, a.wait_event
  FROM pg_stat_progress_vacuum p
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
  LEFT JOIN pg_class rc ON rc.oid = p.relid AND p.datid = (SELECT datid FROM here)
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
UNION ALL
SELECT lower(p.command), p.pid, p.datname::text, p.relid,
       rn.nspname::text, rc.relname::text, p.phase,
       p.heap_blks_total::int8, p.heap_blks_scanned::int8,
       p.heap_tuples_written::int8, p.index_rebuild_count::int8,
       NULL::int8, NULL::float8, NULL::int8, NULL::int8,
       false, false,
       extract(epoch FROM clock_timestamp() - a.xact_start)::float8,
       a.wait_event_type, a.wait_event
  FROM pg_stat_progress_cluster p
  LEFT JOIN pg_stat_activity a ON a.pid = p.pid
  LEFT JOIN pg_class rc ON rc.oid = p.relid AND p.datid = (SELECT datid FROM here)
  LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
 ORDER BY running_secs DESC NULLS LAST
-- pgmedic: end
