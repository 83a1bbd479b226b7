-- pgmedic: relations of this database on which an ACCESS EXCLUSIVE lock is held or awaited: size functions on them would block (reads no catalog, which may be the locked relation).
SELECT DISTINCT l.relation::int8 AS relid
  FROM pg_lock_status() l
 WHERE l.locktype = 'relation'
   AND l.mode = 'AccessExclusiveLock'
   AND l.database = (SELECT datid FROM pg_stat_get_activity(pg_backend_pid()))
-- pgmedic: end
