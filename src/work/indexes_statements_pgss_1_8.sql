-- pgmedic: the heaviest statements of this database in pg_stat_statements (1.8+: total_exec_time), or those with the queryids in $1, to re-plan and time them.
SELECT s.queryid,
       s.query,
       sum(s.calls)::int8 AS calls,
       sum(s.total_exec_time)::float8 AS total_ms
  FROM pg_stat_statements s
 WHERE s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.queryid IS NOT NULL
   AND ($1::int8[] IS NULL OR s.queryid = ANY ($1::int8[]))
   AND s.query NOT LIKE '%-- pgmedic:%'
 GROUP BY s.queryid, s.query
 ORDER BY total_ms DESC
 LIMIT 200
-- pgmedic: end
