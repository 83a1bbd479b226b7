-- A user cancels an open order.
UPDATE orders SET status = 'cancelled', updated_at = now() WHERE id = $1 AND status IN ('new', 'partially_filled')
