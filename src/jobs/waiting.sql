-- pgmedic: job waits
-- What a job without a progress view (DROP INDEX CONCURRENTLY, a cancel…) is waiting for.
SELECT coalesce(pg_blocking_pids($1), '{}'::int[]) AS waiting_for
-- pgmedic: end
