-- pgmedic: when the cluster was created: initdb puts its time, in seconds, in the upper 32 bits of the system identifier.
SELECT (system_identifier >> 32)::float8 AS created_at FROM pg_control_system()
-- pgmedic: end
