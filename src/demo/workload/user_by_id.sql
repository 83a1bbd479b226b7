-- One user by id: called in a loop for every counterparty on a page (the N+1 pattern).
SELECT id, username, tier, status FROM users WHERE id = $1
