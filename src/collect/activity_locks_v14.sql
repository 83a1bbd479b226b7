-- pgmedic: every lock on an object some session waits for, granted or not, and the row a row-lock waiter waits on (who holds it, who queues for it, in which mode, waiting since when).
WITH l AS MATERIALIZED (SELECT * FROM pg_locks),
     waited AS (
         SELECT DISTINCT locktype, database, relation, page, tuple, virtualxid, transactionid,
                classid, objid, objsubid
           FROM l
          WHERE NOT granted)
SELECT l.pid,
       l.virtualtransaction,
       l.locktype,
       l.mode,
       l.granted,
       l.database::int8 AS database,
       l.relation::int8 AS relation,
       l.page,
       l.tuple::int4 AS tuple,
       l.virtualxid,
       l.transactionid::text::int8 AS transactionid,
       l.classid::int8 AS classid,
       l.objid::int8 AS objid,
       l.objsubid::int4 AS objsubid,
       extract(epoch FROM clock_timestamp() - l.waitstart)::float8 AS wait_secs
  FROM l
 WHERE EXISTS (
         SELECT FROM waited w
          WHERE (l.locktype, l.database, l.relation, l.page, l.tuple, l.virtualxid,
                 l.transactionid, l.classid, l.objid, l.objsubid)
                IS NOT DISTINCT FROM
                (w.locktype, w.database, w.relation, w.page, w.tuple, w.virtualxid,
                 w.transactionid, w.classid, w.objid, w.objsubid))
       -- A row-lock waiter holds the row's tuple lock while it waits for the transaction
       -- that changed the row: it names the table the wait is about.
    OR (l.locktype = 'tuple' AND l.granted
        AND l.pid IN (SELECT pid FROM l WHERE NOT granted))
-- pgmedic: end
