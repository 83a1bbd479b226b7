-- pgmedic: job progress (vacuum)
-- Heap blocks scanned, then vacuumed: the two long phases of a VACUUM.
SELECT p.phase,
       CASE WHEN p.phase = 'vacuuming heap' THEN p.heap_blks_vacuumed ELSE p.heap_blks_scanned END AS done,
       p.heap_blks_total AS total,
       'blocks' AS unit,
       coalesce(pg_blocking_pids(p.pid), '{}'::int[]) AS waiting_for
FROM pg_stat_progress_vacuum p
WHERE p.pid = $1
-- pgmedic: end
