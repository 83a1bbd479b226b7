-- pgmedic: the tables of this database outside the system schemas, their size without indexes (NULL for relations locked ACCESS EXCLUSIVE, $1), estimated rows, sequential scans, and whether this role may create and drop their indexes (owner, a member of the owner role, or superuser).
SELECT c.oid::int8 AS table_oid,
       n.nspname AS schema,
       c.relname AS table_name,
       CASE WHEN c.oid <> ALL($1::oid[]) THEN pg_table_size(c.oid) END::int8 AS size_bytes,
       greatest(c.reltuples, 0)::int8 AS live_rows,
       coalesce(s.seq_scan, 0)::int8 AS seq_scans,
       pg_has_role(c.relowner, 'USAGE') AS may_alter,
       pg_get_userbyid(c.relowner)::text AS owner
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_stat_all_tables s ON s.relid = c.oid
 WHERE c.relkind IN ('r', 'p', 'm')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_(toast|temp_)'
-- pgmedic: end
