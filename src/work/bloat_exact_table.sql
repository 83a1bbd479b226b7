-- pgmedic: exact bloat of a table: pgstattuple reads every page (live and dead tuples, free space).
SELECT false AS approximate,
       s.table_len::float8 AS table_len,
       s.tuple_count::float8 AS tuple_count,
       s.tuple_len::float8 AS tuple_len,
       s.dead_tuple_count::float8 AS dead_tuple_count,
       s.dead_tuple_len::float8 AS dead_tuple_len,
       s.free_space::float8 AS free_space
  FROM pgstattuple($1::oid::regclass) s
-- pgmedic: end
