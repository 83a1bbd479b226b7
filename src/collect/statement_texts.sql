-- pgmedic: the text of chosen statements (reading texts is the expensive part of pg_stat_statements: fetched once, cached).
SELECT userid::int8 AS userid, dbid::int8 AS dbid, queryid, query, d.datname::text AS datname, r.rolname::text AS rolname
  FROM pg_stat_statements s
  LEFT JOIN pg_database d ON d.oid = s.dbid
  LEFT JOIN pg_roles r ON r.oid = s.userid
 WHERE s.queryid = ANY($1)
-- pgmedic: end
