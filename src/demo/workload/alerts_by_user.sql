-- A user's active price alerts: no index on alerts (user_id), so every call scans alerts.
SELECT id, instrument_id, condition, threshold, created_at
FROM alerts
WHERE user_id = $1 AND status = 'active'
ORDER BY created_at DESC
