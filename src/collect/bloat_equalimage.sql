-- pgmedic: bloat_equalimage: the btree operator classes whose keys deduplication may merge (they have an equalimage support function, 13+); an index deduplicates only when every key's class is one of them.
SELECT oc.oid
  FROM pg_opclass oc
  JOIN pg_am am ON am.oid = oc.opcmethod AND am.amname = 'btree'
  JOIN pg_amproc p ON p.amprocfamily = oc.opcfamily AND p.amprocnum = 4
   AND p.amproclefttype = oc.opcintype AND p.amprocrighttype = oc.opcintype
-- pgmedic: end
