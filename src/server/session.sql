-- pgmedic: make the monitoring session harmless: read-only, bounded in time and in lock waits.
SET statement_timeout = '5s';
SET lock_timeout = '500ms';
SET idle_in_transaction_session_timeout = '30s';
SET default_transaction_read_only = on;
