-- pgmedic: bloat_stats (a superuser's: pg_statistic itself, which pg_stats reads with a privilege check per column of the whole catalog): average width, null fraction and distinct values of every column of this database's tables and index expressions.
SELECT s.starelid AS relid, s.staattnum AS attnum,
       s.stawidth AS avg_width, s.stanullfrac AS null_frac, s.stadistinct AS n_distinct
  FROM pg_statistic s
  JOIN pg_class c ON c.oid = s.starelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE NOT s.stainherit
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
-- pgmedic: end
