-- pgmedic: the indexes of these tables: method, validity, key columns (NULL for an expression) with their DESC / NULLS FIRST options, INCLUDE columns, predicate.
SELECT i.indrelid::int8 AS table_oid, c.relname::text AS name, am.amname::text AS method,
       i.indisvalid AS valid, i.indnkeyatts::int4 AS key_count,
       ARRAY(SELECT a.attname::text
               FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
               LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
              ORDER BY k.ord) AS columns,
       i.indoption::int2[] AS options,
       pg_get_expr(i.indpred, i.indrelid) AS predicate
  FROM pg_index i
  JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_am am ON am.oid = c.relam
 WHERE i.indrelid = ANY($1::oid[])
-- pgmedic: end
