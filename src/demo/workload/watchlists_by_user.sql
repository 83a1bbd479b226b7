-- A user's watchlists: blocked behind the waiting migration, the third level of the lock chain.
SELECT id, name, created_at FROM watchlists WHERE user_id = $1
