-- pgmedic: per-statement cumulative execution counters of top-level statements (nested ones are inside their caller's time and share its key), without the query text, pg_stat_statements 1.9+.
SELECT userid::int8 AS userid, dbid::int8 AS dbid, queryid,
       calls, total_exec_time AS total_ms, rows
  FROM pg_stat_statements(false)
 WHERE toplevel
-- pgmedic: end
