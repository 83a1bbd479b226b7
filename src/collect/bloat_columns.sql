-- pgmedic: bloat_columns: the stored columns of every table, materialized view and index of this database, in attnum order: how each is stored (attlen, attalign) and, for tables, whether the role may see its statistics (SELECT on the table, else on the column). The statistics themselves come from bloat_stats. Aggregated from sorted rows: one sort, not one per aggregate and relation.
SELECT relid,
       array_agg(attnum) AS attnums,
       array_agg(attlen) AS typlens,
       string_agg(attalign, '') AS aligns,
       array_agg(visible) AS visible
  FROM (SELECT c.oid AS relid, a.attnum, a.attlen, a.attalign::text AS attalign,
               CASE WHEN c.relkind = 'i' OR has_table_privilege(c.oid, 'SELECT') THEN true
                    ELSE has_column_privilege(c.oid, a.attnum, 'SELECT') END AS visible
          FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
         WHERE c.relkind IN ('r', 'm', 'i')
           AND c.relpersistence <> 't'
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_toast'
         ORDER BY c.oid, a.attnum) s
 GROUP BY relid
-- pgmedic: end
