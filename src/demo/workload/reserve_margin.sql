-- The risk engine reserves margin on an account (then leaves the transaction open, holding the row lock).
UPDATE accounts SET balance = balance - $2::float8 WHERE id = $1
