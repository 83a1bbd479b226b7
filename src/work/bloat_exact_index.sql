-- pgmedic: exact bloat of a btree index: pgstatindex reads every page (leaf density, empty and deleted pages).
SELECT s.index_size::float8 AS index_size,
       s.internal_pages::float8 AS internal_pages,
       s.leaf_pages::float8 AS leaf_pages,
       s.empty_pages::float8 AS empty_pages,
       s.deleted_pages::float8 AS deleted_pages,
       s.avg_leaf_density::float8 AS avg_leaf_density,
       s.leaf_fragmentation::float8 AS leaf_fragmentation
  FROM pgstatindex($1::oid::regclass) s
-- pgmedic: end
