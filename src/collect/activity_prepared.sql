-- pgmedic: prepared transactions (two-phase commit), which hold their locks and the xmin horizon until someone commits or rolls them back, with their ages by the server's clock.
SELECT gid,
       owner::text AS owner,
       database::text AS database,
       transaction::text::int8 AS xid,
       age(transaction) AS xid_age,
       extract(epoch FROM clock_timestamp() - prepared)::float8 AS prepared_secs
  FROM pg_prepared_xacts
-- pgmedic: end
