-- pgmedic: rows inserted, updated and deleted so far per table of this database, with the server's clock, for write rates between two samples.
SELECT extract(epoch FROM clock_timestamp())::float8 AS taken_at,
       relid::int8 AS table_oid,
       (n_tup_ins + n_tup_upd + n_tup_del)::int8 AS writes
  FROM pg_stat_all_tables
 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
   AND schemaname !~ '^pg_(toast|temp_)'
-- pgmedic: end
