-- The id ranges and the most traded symbols of the loaded data, for the workload to draw from.
SELECT coalesce((SELECT max(id) FROM users), 0)::bigint,
       coalesce((SELECT max(id) FROM accounts), 0)::bigint,
       coalesce((SELECT max(id) FROM instruments), 0)::integer,
       coalesce((SELECT max(id) FROM positions), 0)::bigint,
       coalesce((SELECT max(id) FROM watchlists), 0)::bigint,
       coalesce((SELECT array_agg(symbol ORDER BY id) FROM (SELECT id, symbol FROM instruments ORDER BY id LIMIT 100) AS top), '{}')::text[]
