-- A deploy's migration: needs an ACCESS EXCLUSIVE lock on watchlists, so it queues behind the open transaction (and every later reader queues behind it).
ALTER TABLE watchlists ADD COLUMN IF NOT EXISTS sort_order integer
