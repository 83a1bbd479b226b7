-- pgmedic: relations of this database on which an ACCESS EXCLUSIVE lock is held or awaited: size functions on them would block.
SELECT DISTINCT l.relation::int8 AS relid
  FROM pg_locks l
 WHERE l.locktype = 'relation'
   AND l.mode = 'AccessExclusiveLock'
   AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
-- pgmedic: end
