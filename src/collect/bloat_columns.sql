-- pgmedic: bloat_columns: each column of every table and materialized view of this database, in attnum order: how it is stored (attlen, attalign) and whether the role may see its statistics (SELECT on the table, else on the column). The statistics themselves come from bloat_stats.
SELECT c.oid AS relid,
       array_agg(a.attnum ORDER BY a.attnum) AS attnums,
       array_agg(a.attlen ORDER BY a.attnum) AS typlens,
       string_agg(a.attalign::text, '' ORDER BY a.attnum) AS aligns,
       array_agg(CASE WHEN has_table_privilege(c.oid, 'SELECT') THEN true
                      ELSE has_column_privilege(c.oid, a.attnum, 'SELECT') END
                 ORDER BY a.attnum) AS visible
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'm')
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
 GROUP BY c.oid
-- pgmedic: end
