-- pgmedic: bloat_indexes: every valid index of the tables bloat_tables reads, with what the btree estimate needs: pages, entries, reloptions, size (none under an ACCESS EXCLUSIVE lock, $1), each stored column's layout and where its statistics are (the table's column, or the index's own for an expression), whether the role may see them, and whether deduplication can apply (every key opclass has equalimage).
SELECT x.indexrelid,
       x.indrelid AS relid,
       n.nspname::text AS schema,
       ic.relname::text AS name,
       tc.relname::text AS table_name,
       am.amname::text AS access_method,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       x.indnkeyatts::int4 AS key_columns,
       ic.relpages::int8 AS relpages,
       ic.reltuples::float8 AS reltuples,
       coalesce(ic.reloptions, '{}')::text[] AS reloptions,
       CASE WHEN ic.relpages < 128 THEN ic.relpages::int8 * current_setting('block_size')::int8
            WHEN x.indexrelid <> ALL($1::oid[]) AND x.indrelid <> ALL($1::oid[])
            THEN pg_relation_size(x.indexrelid) END AS size,
       k.stat_rels, k.stat_attnums, k.typlens, k.aligns, k.visible, k.equalimage
  FROM pg_index x
  JOIN pg_class ic ON ic.oid = x.indexrelid
  JOIN pg_am am ON am.oid = ic.relam
  JOIN pg_class tc ON tc.oid = x.indrelid
  JOIN pg_namespace n ON n.oid = tc.relnamespace
  CROSS JOIN LATERAL (
    SELECT -- A plain column's statistics are the table's; an expression's are the index's.
           array_agg(CASE WHEN k.attnum <> 0 THEN x.indrelid ELSE x.indexrelid END
                     ORDER BY k.pos) AS stat_rels,
           array_agg(CASE WHEN k.attnum <> 0 THEN k.attnum ELSE k.pos::int2 END
                     ORDER BY k.pos) AS stat_attnums,
           array_agg(ia.attlen ORDER BY k.pos) AS typlens,
           string_agg(ia.attalign::text, '' ORDER BY k.pos) AS aligns,
           array_agg(CASE WHEN has_table_privilege(x.indrelid, 'SELECT') THEN true
                          WHEN k.attnum <> 0
                          THEN has_column_privilege(x.indrelid, k.attnum, 'SELECT')
                          ELSE false END ORDER BY k.pos) AS visible,
           coalesce(bool_and(EXISTS (
               SELECT FROM pg_opclass oc
                 JOIN pg_amproc p ON p.amprocfamily = oc.opcfamily
                  AND p.amproclefttype = oc.opcintype AND p.amprocrighttype = oc.opcintype
                WHERE oc.oid = x.indclass[k.pos - 1] AND p.amprocnum = 4
           )) FILTER (WHERE k.pos <= x.indnkeyatts), false) AS equalimage
      FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos)
      JOIN pg_attribute ia ON ia.attrelid = x.indexrelid AND ia.attnum = k.pos
  ) k
 WHERE tc.relkind IN ('r', 'm')
   AND tc.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
   AND x.indisvalid
-- pgmedic: end
