-- pgmedic: sessions holding an ACCESS EXCLUSIVE lock, with what they run: the usual reason a monitoring query timed out (reads no catalog, which may be the locked relation).
SELECT DISTINCT ON (a.pid) a.pid,
       l.relation::int8 AS relid,
       coalesce(a.state, '') AS state,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 120) AS query
  FROM pg_lock_status() l
  JOIN pg_stat_get_activity(NULL) a ON a.pid = l.pid
 WHERE l.granted
   AND l.locktype = 'relation'
   AND l.mode = 'AccessExclusiveLock'
   AND a.pid <> pg_backend_pid()
 ORDER BY a.pid
 LIMIT 5
-- pgmedic: end
