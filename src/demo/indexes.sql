-- The secondary indexes the trading application created, built once the data is loaded.

CREATE INDEX accounts_user_id_idx ON accounts (user_id);
CREATE INDEX orders_account_id_created_at_idx ON orders (account_id, created_at);
CREATE INDEX trades_account_id_executed_at_idx ON trades (account_id, executed_at);
CREATE INDEX notifications_user_id_created_at_idx ON notifications (user_id, created_at);
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity_type, entity_id);
CREATE INDEX audit_logs_user_id_idx ON audit_logs (user_id);
CREATE INDEX watchlists_user_id_idx ON watchlists (user_id);
