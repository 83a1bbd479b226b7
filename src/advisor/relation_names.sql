-- pgmedic: which of these names are taken by a relation in this schema (index names must be unique there).
SELECT c.relname::text AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = ANY($2::text[])
-- pgmedic: end
