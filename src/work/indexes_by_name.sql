-- pgmedic: the index named $2 in schema $1, if any, with whether it is valid and its definition (the leftover of a failed CONCURRENTLY build is invalid).
SELECT c.oid::int8 AS index_oid,
       t.relname AS table_name,
       i.indisvalid AS is_valid,
       pg_get_indexdef(c.oid) AS definition
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_index i ON i.indexrelid = c.oid
  JOIN pg_class t ON t.oid = i.indrelid
 WHERE n.nspname = $1 AND c.relname = $2
-- pgmedic: end
