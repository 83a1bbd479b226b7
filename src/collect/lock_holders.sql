-- pgmedic: sessions holding an ACCESS EXCLUSIVE lock, with what they run: the usual reason a monitoring query timed out.
SELECT DISTINCT ON (a.pid) a.pid,
       coalesce(l.relation::regclass::text, '') AS relation,
       coalesce(a.state, '') AS state,
       left(regexp_replace(coalesce(a.query, ''), '\s+', ' ', 'g'), 120) AS query
  FROM pg_locks l
  JOIN pg_stat_activity a ON a.pid = l.pid
 WHERE l.granted
   AND l.locktype = 'relation'
   AND l.mode = 'AccessExclusiveLock'
   AND a.pid <> pg_backend_pid()
 ORDER BY a.pid
 LIMIT 5
