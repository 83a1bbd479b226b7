-- pgmedic: a hypothetical index (HypoPG; exists only in this session, nothing is written).
SELECT indexrelid::int8 AS oid, indexname::text AS name FROM hypopg_create_index($1)
-- pgmedic: end
