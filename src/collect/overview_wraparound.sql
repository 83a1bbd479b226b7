-- pgmedic: transaction-id and multixact age of the oldest database (template0 and databases refusing connections count too), against the wraparound limits.
SELECT max(age(datfrozenxid))::int8 AS xid_age,
       max(mxid_age(datminmxid))::int8 AS mxid_age,
       (array_agg(datname::text ORDER BY age(datfrozenxid) DESC))[1] AS oldest_database,
       current_setting('autovacuum_freeze_max_age')::int8 AS freeze_max_age
  FROM pg_database
-- pgmedic: end
