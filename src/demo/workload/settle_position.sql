-- Settlement books a position's unrealized profit and loss as realized.
UPDATE positions SET realized_pnl = realized_pnl + unrealized_pnl, unrealized_pnl = 0, updated_at = now() WHERE id = $1
