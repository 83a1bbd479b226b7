-- pgmedic: when each index of this database was last scanned (16+), epoch seconds.
SELECT indexrelid::int8 AS index_oid,
       extract(epoch FROM last_idx_scan)::float8 AS last_scan
  FROM pg_stat_all_indexes
 WHERE last_idx_scan IS NOT NULL
-- pgmedic: end
