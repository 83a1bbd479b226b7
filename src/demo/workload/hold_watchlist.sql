-- A back-office session edits a watchlist and leaves its transaction open: the root of the lock chain.
UPDATE watchlists SET name = name WHERE id = $1
