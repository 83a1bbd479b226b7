-- pgmedic: the configuration files' entries for the settings the pane shows, in the order the server reads them.
SELECT name::text AS name,
       setting::text AS setting,
       sourcefile::text AS sourcefile,
       sourceline::int4 AS sourceline,
       applied AS applied,
       error::text AS error
  FROM pg_file_settings
 WHERE name = ANY($1)
 ORDER BY seqno
-- pgmedic: end
