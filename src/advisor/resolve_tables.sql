-- pgmedic: the relations statements name, resolved as the planner does (search_path for unqualified names): NULL for what does not exist here.
SELECT u.n::int4 AS ord,
       to_regclass(CASE WHEN u.s IS NULL THEN quote_ident(u.t)
                        ELSE quote_ident(u.s) || '.' || quote_ident(u.t) END)::oid::int8 AS oid
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(s, t, n)
-- pgmedic: end
