-- pgmedic: replication slots that hold back the xmin horizon (xmin from hot_standby_feedback, catalog_xmin from logical decoding), with their transaction-id ages.
SELECT slot_name::text AS name,
       slot_type,
       database::text AS database,
       active,
       active_pid,
       xmin::text::int8 AS xmin,
       age(xmin) AS xmin_age,
       catalog_xmin::text::int8 AS catalog_xmin,
       age(catalog_xmin) AS catalog_xmin_age
  FROM pg_replication_slots
 WHERE xmin IS NOT NULL OR catalog_xmin IS NOT NULL
-- pgmedic: end
