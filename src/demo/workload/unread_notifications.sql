-- A user's unread notifications (served by notifications (user_id, created_at)).
SELECT id, kind, title, created_at
FROM notifications
WHERE user_id = $1 AND read_at IS NULL
ORDER BY created_at DESC
LIMIT 20
