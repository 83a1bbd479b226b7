-- pgmedic: tables the advisor considers: size estimates from pg_class (write rates come from the caller, measured over a recent interval).
SELECT c.oid::int8 AS oid, n.nspname::text AS schema, c.relname::text AS name, c.relkind::text AS kind,
       c.reltuples::float8 AS rows, c.relpages::int8 AS pages
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = ANY($1::oid[])
-- pgmedic: end
