-- pgmedic: a relation's name for a message (may itself time out when the catalog is locked).
SELECT $1::oid::regclass::text AS name
-- pgmedic: end
