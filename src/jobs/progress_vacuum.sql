-- pgmedic: job progress (vacuum)
-- Heap blocks scanned, then vacuumed: the two long phases of a VACUUM. The phase carries the
-- index passes so far, the indexes done in this pass (17+) and the dead tuples found; the
-- columns renamed in 17 are read through to_jsonb so one text serves every version.
SELECT p.phase
       || CASE WHEN p.index_vacuum_count > 0
               THEN format(' · %s index pass%s', p.index_vacuum_count,
                           CASE WHEN p.index_vacuum_count > 1 THEN 'es' ELSE '' END)
               ELSE '' END
       || CASE WHEN p.phase IN ('vacuuming indexes', 'cleaning up indexes')
                AND (to_jsonb(p) ->> 'indexes_total')::int8 > 0
               THEN format(' · %s of %s indexes', to_jsonb(p) ->> 'indexes_processed',
                           to_jsonb(p) ->> 'indexes_total')
               ELSE '' END
       || coalesce(' · ' || coalesce(to_jsonb(p) ->> 'num_dead_item_ids',
                                     to_jsonb(p) ->> 'num_dead_tuples') || ' dead tuples',
                   '') AS phase,
       CASE WHEN p.phase = 'vacuuming heap' THEN p.heap_blks_vacuumed ELSE p.heap_blks_scanned END AS done,
       p.heap_blks_total AS total,
       'blocks' AS unit,
       coalesce(pg_blocking_pids(p.pid), '{}'::int[]) AS waiting_for
FROM pg_stat_progress_vacuum p
WHERE p.pid = $1
-- pgmedic: end
