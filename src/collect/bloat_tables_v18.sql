-- pgmedic: bloat_tables (18+: with inserts since the last vacuum and all-frozen pages): every table and materialized view of this database with what the bloat estimate and the autovacuum triggers need: pages, tuples, reloptions, each column's stored width and null fraction from pg_stats (NULL where this role sees none), the vacuum counters and the relfrozenxid ages. Relations under an ACCESS EXCLUSIVE lock ($1) get no size.
WITH rels AS (
    SELECT c.oid, c.relname, c.relnamespace, c.relkind, c.relpages, c.reltuples, c.reloptions,
           c.reltoastrelid, c.relallfrozen, c.relfrozenxid, c.relminmxid, c.relrowsecurity,
           c.relowner,
           n.nspname, age(t.relfrozenxid)::int8 AS toast_xid_age
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_class t ON t.oid = c.reltoastrelid AND t.relfrozenxid <> '0'
     WHERE c.relkind IN ('r', 'm')
       AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname !~ '^pg_toast'
), cols AS (
    SELECT a.attrelid,
           array_agg(a.attlen ORDER BY a.attnum) AS typlens,
           string_agg(a.attalign::text, '' ORDER BY a.attnum) AS aligns,
           array_agg(s.avg_width ORDER BY a.attnum) AS widths,
           array_agg(s.null_frac ORDER BY a.attnum) AS null_fracs,
           array_agg(has_column_privilege(a.attrelid, a.attnum, 'SELECT') ORDER BY a.attnum) AS visible
      FROM rels r
      JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
      LEFT JOIN pg_stats s
        ON s.schemaname = r.nspname AND s.tablename = r.relname AND s.attname = a.attname
       AND NOT s.inherited
     GROUP BY a.attrelid
)
SELECT r.oid AS relid,
       r.nspname::text AS schema,
       r.relname::text AS name,
       r.relkind::text AS relkind,
       r.relpages::int8 AS relpages,
       r.reltuples::float8 AS reltuples,
       r.relallfrozen::int8 AS relallfrozen,
       coalesce(r.reloptions, '{}')::text[] AS reloptions,
       CASE WHEN r.oid <> ALL($1::oid[]) THEN pg_relation_size(r.oid) END AS size,
       CASE WHEN r.reltoastrelid = 0 THEN 0::int8
            WHEN r.oid <> ALL($1::oid[]) AND r.reltoastrelid <> ALL($1::oid[])
            THEN pg_total_relation_size(r.reltoastrelid) END AS toast_size,
       CASE WHEN r.relfrozenxid <> '0' THEN age(r.relfrozenxid)::int8 END AS xid_age,
       r.toast_xid_age,
       CASE WHEN r.relminmxid <> '0' THEN mxid_age(r.relminmxid)::int8 END AS mxid_age,
       r.relrowsecurity AND row_security_active(r.oid) AS rls_hidden,
       -- VACUUM, ANALYZE and REINDEX: the MAINTAIN privilege (the owner, pg_maintain, a
       -- grant); VACUUM and ANALYZE also the database's owner.
       has_table_privilege(r.oid, 'MAINTAIN') AS maintain,
       pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
           AS database_owner,
       coalesce(c.typlens, '{}') AS typlens,
       coalesce(c.aligns, '') AS aligns,
       coalesce(c.widths, '{}') AS widths,
       coalesce(c.null_fracs, '{}') AS null_fracs,
       coalesce(c.visible, '{}') AS visible,
       coalesce(st.n_live_tup, 0) AS n_live_tup,
       coalesce(st.n_dead_tup, 0) AS n_dead_tup,
       coalesce(st.n_mod_since_analyze, 0) AS n_mod_since_analyze,
       coalesce(st.n_ins_since_vacuum, 0) AS n_ins_since_vacuum,
       extract(epoch FROM st.last_vacuum)::float8 AS last_vacuum,
       extract(epoch FROM st.last_autovacuum)::float8 AS last_autovacuum,
       extract(epoch FROM st.last_analyze)::float8 AS last_analyze,
       extract(epoch FROM st.last_autoanalyze)::float8 AS last_autoanalyze
  FROM rels r
  LEFT JOIN cols c ON c.attrelid = r.oid
  LEFT JOIN pg_stat_all_tables st ON st.relid = r.oid
-- pgmedic: end
