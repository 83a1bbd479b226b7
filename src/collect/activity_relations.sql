-- pgmedic: schema and name of the relations contested locks are on, by oid (only asked when some session waits for a relation or a row).
SELECT c.oid::int8 AS relid,
       n.nspname::text AS schema,
       c.relname::text AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.oid = ANY ($1::oid[])
-- pgmedic: end
