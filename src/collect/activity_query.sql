-- pgmedic: the whole text of one backend's current or last query (the list shows the first characters only), if it is still the same backend.
SELECT query
  FROM pg_stat_activity
 WHERE pid = $1
   AND backend_start = $2::text::timestamptz
-- pgmedic: end
