-- pgmedic: the estimated size of a hypothetical index.
SELECT hypopg_relation_size($1::oid)::int8 AS bytes
-- pgmedic: end
