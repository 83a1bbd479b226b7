-- The audit trail of an order action, with request details as jsonb.
INSERT INTO audit_logs (user_id, actor, action, entity_type, entity_id, ip, details)
VALUES ($1, 'user', $2, 'order', $3, '10.0.0.0'::inet + $4::bigint,
        jsonb_build_object('user_agent', $5::text, 'request_id', md5($3::text || clock_timestamp()::text)))
