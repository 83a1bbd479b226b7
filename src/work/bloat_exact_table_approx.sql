-- pgmedic: approximate exact bloat of a large table: pgstattuple_approx skips the pages the visibility map says are all-visible and takes their free space from the free space map.
SELECT true AS approximate,
       s.table_len::float8 AS table_len,
       s.approx_tuple_count::float8 AS tuple_count,
       s.approx_tuple_len::float8 AS tuple_len,
       s.dead_tuple_count::float8 AS dead_tuple_count,
       s.dead_tuple_len::float8 AS dead_tuple_len,
       s.approx_free_space::float8 AS free_space
  FROM pgstattuple_approx($1::oid::regclass) s
-- pgmedic: end
