-- One instrument by id: called once per row of a list (the N+1 pattern).
SELECT symbol, name, tick_size, lot_size FROM instruments WHERE id = $1
