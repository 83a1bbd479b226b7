-- pgmedic: settings made for this database with ALTER DATABASE … SET, for every role.
SELECT split_part(entry, '=', 1) AS name,
       substr(entry, strpos(entry, '=') + 1) AS setting
  FROM pg_db_role_setting s
 CROSS JOIN LATERAL unnest(s.setconfig) AS entry
 WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
   AND s.setrole = 0
-- pgmedic: end
