-- pgmedic: bloat_stats: the planner statistics the bloat estimate uses (average width, null fraction, distinct values) of every column of this database's tables and index expressions, as pg_stats shows them to this role (only columns it may SELECT).
SELECT a.attrelid AS relid, a.attnum,
       s.avg_width, s.null_frac, s.n_distinct
  FROM pg_stats s
  JOIN pg_namespace n ON n.nspname = s.schemaname
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.tablename
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = s.attname
 WHERE NOT s.inherited
   AND s.schemaname NOT IN ('pg_catalog', 'information_schema')
-- pgmedic: end
