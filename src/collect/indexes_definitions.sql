-- pgmedic: every index of this database outside the system schemas, its definition in parts (columns or expressions, operator classes, collations, ordering, predicate, method), its flags, the constraint it backs, its scans since the stats reset and its size. Size and deparsing functions lock the relation: for an index or table locked ACCESS EXCLUSIVE ($1) they are skipped and the row says is_locked.
SELECT i.indexrelid::int8 AS index_oid,
       i.indrelid::int8 AS table_oid,
       n.nspname AS schema,
       t.relname AS table_name,
       c.relname AS index_name,
       am.amname AS method,
       i.indnkeyatts::int4 AS key_count,
       i.indkey::int2[] AS attnums,
       lk.locked AS is_locked,
       CASE WHEN NOT lk.locked THEN
           ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
                   FROM generate_series(1, i.indnatts) AS k ORDER BY k) END AS columns,
       i.indclass::oid[]::int8[] AS opclasses,
       i.indcollation::oid[]::int8[] AS collations,
       i.indoption::int2[] AS options,
       CASE WHEN NOT lk.locked THEN pg_get_expr(i.indpred, i.indrelid, true) END AS predicate,
       i.indisunique AS is_unique,
       i.indisprimary AS is_primary,
       i.indisexclusion AS is_exclusion,
       i.indisvalid AS is_valid,
       i.indisreplident AS is_replica_identity,
       con.conname AS constraint_name,
       EXISTS (SELECT 1 FROM pg_constraint f
                WHERE f.contype = 'f' AND f.conindid = i.indexrelid) AS referenced_by_fk,
       c.relkind = 'I' AS is_partitioned,
       c.relispartition AS is_partition,
       -- A CREATE INDEX (CONCURRENTLY) or REINDEX on the table: its invalid indexes are the build.
       NOT i.indisvalid AND EXISTS (SELECT 1 FROM pg_stat_progress_create_index p
                                     WHERE p.relid = i.indrelid) AS is_building,
       coalesce(s.idx_scan, 0)::int8 AS scans,
       CASE WHEN NOT lk.locked THEN pg_relation_size(i.indexrelid) END::int8 AS size_bytes,
       CASE WHEN NOT lk.locked THEN pg_get_indexdef(i.indexrelid) END AS definition
  FROM pg_index i
 CROSS JOIN LATERAL (SELECT i.indexrelid = ANY ($1::oid[]) OR i.indrelid = ANY ($1::oid[]) AS locked) lk
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_am am ON am.oid = c.relam
  LEFT JOIN pg_constraint con
         ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x')
  LEFT JOIN pg_stat_all_indexes s ON s.indexrelid = i.indexrelid
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
 ORDER BY n.nspname, t.relname, c.relname
-- pgmedic: end
