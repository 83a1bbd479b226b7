-- pgmedic: bloat_columns: the stored columns of every table, materialized view and index of this database, in attnum order: how each is stored (attlen, attalign) and, for tables, whether the role may see its statistics (SELECT on the table, else on the column). The statistics themselves come from bloat_stats. The table privilege is checked once per relation, and the rows are aggregated from one sort.
WITH rels AS MATERIALIZED (
    SELECT c.oid, c.relkind = 'i' OR has_table_privilege(c.oid, 'SELECT') AS table_select
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'm', 'i')
       AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
)
SELECT relid,
       array_agg(attnum) AS attnums,
       array_agg(attlen) AS typlens,
       string_agg(attalign, '') AS aligns,
       array_agg(visible) AS visible
  FROM (SELECT r.oid AS relid, a.attnum, a.attlen, a.attalign::text AS attalign,
               CASE WHEN r.table_select THEN true
                    ELSE has_column_privilege(r.oid, a.attnum, 'SELECT') END AS visible
          FROM rels r
          JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY r.oid, a.attnum) s
 GROUP BY relid
-- pgmedic: end
