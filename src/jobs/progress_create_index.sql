-- pgmedic: job progress (create index)
-- Blocks while building, tuples while loading and validating; lockers while it waits for
-- older transactions (the "waiting for …" phases of CONCURRENTLY).
SELECT p.phase,
       CASE WHEN p.blocks_total > 0 THEN p.blocks_done ELSE p.tuples_done END AS done,
       CASE WHEN p.blocks_total > 0 THEN p.blocks_total ELSE p.tuples_total END AS total,
       CASE WHEN p.blocks_total > 0 THEN 'blocks' ELSE 'tuples' END AS unit,
       -- the current locker is usually among the blocking pids too: each pid once, the
       -- locker first
       ARRAY(SELECT pid
               FROM unnest(CASE WHEN p.current_locker_pid > 0
                                THEN ARRAY[p.current_locker_pid::int] ELSE '{}'::int[] END
                           || coalesce(pg_blocking_pids(p.pid), '{}'::int[]))
                    WITH ORDINALITY AS w (pid, n)
              GROUP BY pid
              ORDER BY min(n)) AS waiting_for
FROM pg_stat_progress_create_index p
WHERE p.pid = $1
-- pgmedic: end
