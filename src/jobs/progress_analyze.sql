-- pgmedic: job progress (analyze)
SELECT p.phase,
       p.sample_blks_scanned AS done,
       p.sample_blks_total AS total,
       'blocks' AS unit,
       coalesce(pg_blocking_pids(p.pid), '{}'::int[]) AS waiting_for
FROM pg_stat_progress_analyze p
WHERE p.pid = $1
-- pgmedic: end
