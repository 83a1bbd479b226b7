-- The connection pool's health check on an idle session.
SELECT 1
