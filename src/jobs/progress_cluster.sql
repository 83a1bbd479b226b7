-- pgmedic: job progress (vacuum full / cluster)
SELECT p.phase,
       CASE WHEN p.heap_blks_total > 0 THEN p.heap_blks_scanned ELSE p.heap_tuples_written END AS done,
       CASE WHEN p.heap_blks_total > 0 THEN p.heap_blks_total ELSE 0 END AS total,
       CASE WHEN p.heap_blks_total > 0 THEN 'blocks' ELSE 'tuples' END AS unit,
       coalesce(pg_blocking_pids(p.pid), '{}'::int[]) AS waiting_for
FROM pg_stat_progress_cluster p
WHERE p.pid = $1
-- pgmedic: end
