-- pgmedic: the settings the Settings pane judges: value and unit, where it was set, whether a restart is pending.
SELECT name::text AS name,
       setting::text AS setting,
       unit::text AS unit,
       vartype::text AS vartype,
       context::text AS context,
       source::text AS source,
       sourcefile::text AS sourcefile,
       sourceline::int4 AS sourceline,
       boot_val::text AS boot_val,
       pending_restart AS pending_restart,
       short_desc::text AS short_desc
  FROM pg_settings
 WHERE name = ANY($1)
-- pgmedic: end
