-- pgmedic: the foreign keys of this database (not the copies partitions inherit), with their referencing and referenced columns in constraint order.
SELECT con.oid::int8 AS fk_oid,
       con.conname AS name,
       con.conrelid::int8 AS table_oid,
       n.nspname AS schema,
       t.relname AS table_name,
       con.conkey AS attnums,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS columns,
       quote_ident(rn.nspname) || '.' || quote_ident(r.relname) AS referenced,
       ARRAY(SELECT a.attname::text
               FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
               JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS referenced_columns,
       con.confdeltype::text AS on_delete
  FROM pg_constraint con
  JOIN pg_class t ON t.oid = con.conrelid
  JOIN pg_namespace n ON n.oid = t.relnamespace
  JOIN pg_class r ON r.oid = con.confrelid
  JOIN pg_namespace rn ON rn.oid = r.relnamespace
 WHERE con.contype = 'f'
   AND con.conparentid = 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
-- pgmedic: end
