-- pgmedic: the heaviest statements of this database by total execution time (all roles; the console's own left out), pg_stat_statements 1.8+.
WITH s AS (
  SELECT queryid, query, calls, total_exec_time AS total_ms
    FROM pg_stat_statements
   WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
     AND queryid IS NOT NULL
     AND query NOT LIKE '%-- pgmedic:%'
)
SELECT queryid, min(query) AS query, sum(calls)::int8 AS calls, sum(total_ms)::float8 AS total_ms,
       coalesce(sum(total_ms) / nullif((SELECT sum(total_ms) FROM s), 0), 0)::float8 AS share
  FROM s
 GROUP BY queryid
 ORDER BY total_ms DESC
 LIMIT $1
-- pgmedic: end
