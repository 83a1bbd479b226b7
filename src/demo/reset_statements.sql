-- Forgets the pg_stat_statements entries of this database (pg_stat_statements 1.7+), leaving other databases' alone.
SELECT pg_stat_statements_reset(0, oid, 0) FROM pg_database WHERE datname = current_database()
