-- pgmedic: the constants pg_qualstats saw these statements compare columns of these tables with (=), most frequent first.
SELECT q.queryid, q.lrelid::int8 AS table_oid, a.attname::text AS column_name,
       q.constvalue::text AS constant, sum(q.occurences)::int8 AS occurrences
  FROM pg_qualstats() q
  JOIN pg_attribute a ON a.attrelid = q.lrelid AND a.attnum = q.lattnum
  JOIN pg_operator o ON o.oid = q.opno
 WHERE q.dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND q.lrelid = ANY($1::oid[])
   AND q.queryid = ANY($2::int8[])
   AND o.oprname = '='
   AND q.constvalue IS NOT NULL
 GROUP BY 1, 2, 3, 4
 ORDER BY occurrences DESC
-- pgmedic: end
