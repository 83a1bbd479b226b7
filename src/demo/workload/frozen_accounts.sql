-- A reporting read at the start of a transaction the service then leaves open for a while.
SELECT count(*) FROM accounts WHERE status = 'frozen'
