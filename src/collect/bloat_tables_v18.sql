-- pgmedic: bloat_tables (18+: with inserts since the last vacuum and all-frozen pages): every table and materialized view of this database with what the bloat estimate and the autovacuum triggers need besides its columns: pages, tuples, reloptions, sizes (none for relations under an ACCESS EXCLUSIVE lock, $1), the vacuum counters, the relfrozenxid ages and the role's right to maintain it.
SELECT c.oid AS relid,
       n.nspname::text AS schema,
       c.relname::text AS name,
       c.relkind::text AS relkind,
       c.relpages::int8 AS relpages,
       c.reltuples::float8 AS reltuples,
       c.relallfrozen::int8 AS relallfrozen,
       coalesce(c.reloptions, '{}')::text[] AS reloptions,
       -- Measured now (relpages is only as recent as the last VACUUM or ANALYZE: 0 for a
       -- table loaded and never vacuumed); none under an ACCESS EXCLUSIVE lock, which the
       -- size functions would wait for.
       CASE WHEN c.oid <> ALL($1::oid[]) THEN pg_relation_size(c.oid) END AS size,
       CASE WHEN c.reltoastrelid = 0 THEN 0::int8
            WHEN c.oid <> ALL($1::oid[]) AND c.reltoastrelid <> ALL($1::oid[])
            THEN pg_total_relation_size(c.reltoastrelid) END AS toast_size,
       CASE WHEN c.relfrozenxid <> '0' THEN age(c.relfrozenxid)::int8 END AS xid_age,
       CASE WHEN t.relfrozenxid <> '0' THEN age(t.relfrozenxid)::int8 END AS toast_xid_age,
       CASE WHEN c.relminmxid <> '0' THEN mxid_age(c.relminmxid)::int8 END AS mxid_age,
       c.relrowsecurity AND row_security_active(c.oid) AS rls_hidden,
       -- VACUUM, ANALYZE and REINDEX: the table's owner (or a member: a superuser is a member
       -- of every role), or from 17 the MAINTAIN privilege (the owner, pg_maintain, a grant);
       -- VACUUM and ANALYZE also the database's owner.
       CASE WHEN current_setting('server_version_num')::int4 >= 170000
            THEN has_table_privilege(c.oid, 'MAINTAIN')
            ELSE pg_has_role(c.relowner, 'USAGE') END AS maintain,
       pg_has_role((SELECT datdba FROM pg_database WHERE datname = current_database()), 'USAGE')
           AS database_owner,
       pg_stat_get_live_tuples(c.oid) AS n_live_tup,
       pg_stat_get_dead_tuples(c.oid) AS n_dead_tup,
       pg_stat_get_mod_since_analyze(c.oid) AS n_mod_since_analyze,
       pg_stat_get_ins_since_vacuum(c.oid) AS n_ins_since_vacuum,
       extract(epoch FROM pg_stat_get_last_vacuum_time(c.oid))::float8 AS last_vacuum,
       extract(epoch FROM pg_stat_get_last_autovacuum_time(c.oid))::float8 AS last_autovacuum,
       extract(epoch FROM pg_stat_get_last_analyze_time(c.oid))::float8 AS last_analyze,
       extract(epoch FROM pg_stat_get_last_autoanalyze_time(c.oid))::float8 AS last_autoanalyze
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
 WHERE c.relkind IN ('r', 'm')
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname !~ '^pg_toast'
-- pgmedic: end
