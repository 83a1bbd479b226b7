-- pgmedic: bloat_indexes: every valid index of the tables bloat_tables reads, with what the btree estimate needs: pages, entries, reloptions, each stored column's width and null fraction (from the table column, or from the index's own statistics for an expression), the key columns' distinct counts, and whether deduplication can apply (no INCLUDE columns, every key opclass has equalimage). Relations under an ACCESS EXCLUSIVE lock ($1) get no size.
WITH idx AS (
    SELECT i.indexrelid, i.indrelid, i.indisunique, i.indisprimary, i.indnkeyatts, i.indnatts,
           i.indkey, i.indclass, ic.relname, ic.relpages, ic.reltuples, ic.reloptions,
           am.amname, n.nspname, tc.relname AS table_name
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
      JOIN pg_am am ON am.oid = ic.relam
      JOIN pg_class tc ON tc.oid = i.indrelid
      JOIN pg_namespace n ON n.oid = tc.relnamespace
     WHERE tc.relkind IN ('r', 'm')
       AND tc.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
       AND i.indisvalid
), keys AS (
    SELECT x.indexrelid, k.pos,
           -- A plain column's statistics are the table's; an expression's are the index's.
           CASE WHEN k.attnum <> 0 THEN x.indrelid ELSE x.indexrelid END AS stat_rel,
           CASE WHEN k.attnum <> 0 THEN k.attnum ELSE k.pos::int2 END AS stat_attnum,
           CASE WHEN k.attnum <> 0 THEN x.table_name ELSE x.relname END AS stat_relname,
           x.nspname,
           k.pos <= x.indnkeyatts AS is_key,
           x.indclass[k.pos - 1] AS opclass
      FROM idx x,
           unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, pos)
), cols AS (
    SELECT k.indexrelid,
           array_agg(ia.attlen ORDER BY k.pos) AS typlens,
           string_agg(ia.attalign::text, '' ORDER BY k.pos) AS aligns,
           array_agg(s.avg_width ORDER BY k.pos) AS widths,
           array_agg(s.null_frac ORDER BY k.pos) AS null_fracs,
           array_agg(has_column_privilege(k.stat_rel, k.stat_attnum, 'SELECT') ORDER BY k.pos) AS visible,
           array_agg(s.n_distinct ORDER BY k.pos) FILTER (WHERE k.is_key) AS key_distinct,
           bool_and(EXISTS (
               SELECT FROM pg_opclass oc
                 JOIN pg_amproc p ON p.amprocfamily = oc.opcfamily
                  AND p.amproclefttype = oc.opcintype AND p.amprocrighttype = oc.opcintype
                WHERE oc.oid = k.opclass AND p.amprocnum = 4
           )) FILTER (WHERE k.is_key) AS equalimage
      FROM keys k
      JOIN pg_attribute ia ON ia.attrelid = k.indexrelid AND ia.attnum = k.pos
      JOIN pg_attribute sa ON sa.attrelid = k.stat_rel AND sa.attnum = k.stat_attnum
      LEFT JOIN pg_stats s
        ON s.schemaname = k.nspname AND s.tablename = k.stat_relname AND s.attname = sa.attname
       AND NOT s.inherited
     GROUP BY k.indexrelid
)
SELECT x.indexrelid AS indexrelid,
       x.indrelid AS relid,
       x.nspname::text AS schema,
       x.relname::text AS name,
       x.table_name::text AS table_name,
       x.amname::text AS access_method,
       x.indisunique AS is_unique,
       x.indisprimary AS is_primary,
       x.indnkeyatts < x.indnatts AS has_include,
       x.relpages::int8 AS relpages,
       x.reltuples::float8 AS reltuples,
       coalesce(x.reloptions, '{}')::text[] AS reloptions,
       CASE WHEN x.indexrelid <> ALL($1::oid[]) AND x.indrelid <> ALL($1::oid[])
            THEN pg_relation_size(x.indexrelid) END AS size,
       coalesce(c.typlens, '{}') AS typlens,
       coalesce(c.aligns, '') AS aligns,
       coalesce(c.widths, '{}') AS widths,
       coalesce(c.null_fracs, '{}') AS null_fracs,
       coalesce(c.visible, '{}') AS visible,
       coalesce(c.key_distinct, '{}') AS key_distinct,
       coalesce(c.equalimage, false) AS equalimage
  FROM idx x
  LEFT JOIN cols c ON c.indexrelid = x.indexrelid
-- pgmedic: end
