-- pgmedic: bloat_indexes: every valid index of the tables bloat_tables reads, with what the btree estimate needs besides its stored columns (bloat_columns): pages, entries, reloptions, size (measured now, none under an ACCESS EXCLUSIVE lock, $1), which table column each key is (0: an expression, with statistics of its own) and each key's operator class.
SELECT x.indexrelid,
       x.indrelid AS relid,
       n.nspname::text AS schema,
       ic.relname::text AS name,
       tc.relname::text AS table_name,
       am.amname::text AS access_method,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       x.indnkeyatts::int4 AS key_columns,
       x.indkey::int2[] AS indkey,
       x.indclass::oid[] AS indclass,
       ic.relpages::int8 AS relpages,
       ic.reltuples::float8 AS reltuples,
       coalesce(ic.reloptions, '{}')::text[] AS reloptions,
       CASE WHEN x.indexrelid <> ALL($1::oid[]) AND x.indrelid <> ALL($1::oid[])
            THEN pg_relation_size(x.indexrelid) END AS size
  FROM pg_index x
  JOIN pg_class ic ON ic.oid = x.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  JOIN pg_class tc ON tc.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = tc.relnamespace
 WHERE tc.relkind IN ('r', 'm')
   AND tc.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
   AND x.indisvalid
-- pgmedic: end
