-- pgmedic: which of the extensions pgmedic uses are installed in this database, and which could be.
SELECT name::text AS name,
       installed_version::text AS installed_version,
       default_version::text AS default_version
  FROM pg_available_extensions
 WHERE name = ANY($1)
-- pgmedic: end
