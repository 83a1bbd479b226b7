-- pgmedic: per-statement cumulative execution counters, without the query text (cheap), pg_stat_statements before 1.8.
SELECT userid::int8 AS userid, dbid::int8 AS dbid, queryid,
       calls, total_time AS total_ms, rows
  FROM pg_stat_statements(false)
-- pgmedic: end
