-- Demo data, part two: instruments, candles, alerts, notifications, audit logs and watchlists.
-- Set-based and deterministic (setseed; timestamps are relative to now()); runs on its own
-- session in parallel with seed_accounts.sql, after seed_size.sql.
--
-- Foreign-key triggers are skipped during the load (session_replication_role = replica): the
-- rows are generated consistent with every constraint, and checking them one trigger call per
-- row would triple the load time. The demo tests verify there are no orphans.

SET session_replication_role = replica;
SET work_mem = '256MB';
SET jit = off;
SELECT setseed(0.1717);

-- Instruments: well-known symbols first, then generated tickers.
INSERT INTO instruments (id, symbol, name, asset_class, exchange, currency, tick_size, lot_size, listed_at)
SELECT g,
       coalesce(known.symbol, 'TK' || lpad(g::text, 5, '0')),
       coalesce(known.name, 'Listed Company ' || g),
       coalesce(known.asset_class, (ARRAY['equity', 'equity', 'equity', 'etf', 'future'])[1 + g % 5]),
       coalesce(known.exchange, (ARRAY['XNAS', 'XNYS', 'ARCX', 'XCME'])[1 + g % 4]),
       CASE WHEN known.asset_class = 'fx' THEN right(known.symbol, 3) ELSE 'USD' END,
       CASE WHEN known.asset_class IN ('crypto', 'fx') THEN 0.00001 ELSE 0.01 END,
       CASE WHEN known.asset_class = 'crypto' THEN 0.0001 ELSE 1 END,
       date '2000-01-03' + (g * 37) % 8000
FROM seed_size, generate_series(1, seed_size.instruments) AS g
LEFT JOIN (VALUES
    (1, 'AAPL', 'Apple Inc.', 'equity', 'XNAS'),          (2, 'MSFT', 'Microsoft Corp.', 'equity', 'XNAS'),
    (3, 'NVDA', 'NVIDIA Corp.', 'equity', 'XNAS'),        (4, 'AMZN', 'Amazon.com Inc.', 'equity', 'XNAS'),
    (5, 'GOOGL', 'Alphabet Inc. Class A', 'equity', 'XNAS'), (6, 'META', 'Meta Platforms Inc.', 'equity', 'XNAS'),
    (7, 'TSLA', 'Tesla Inc.', 'equity', 'XNAS'),          (8, 'JPM', 'JPMorgan Chase & Co.', 'equity', 'XNYS'),
    (9, 'V', 'Visa Inc.', 'equity', 'XNYS'),              (10, 'XOM', 'Exxon Mobil Corp.', 'equity', 'XNYS'),
    (11, 'SPY', 'SPDR S&P 500 ETF', 'etf', 'ARCX'),       (12, 'QQQ', 'Invesco QQQ Trust', 'etf', 'XNAS'),
    (13, 'IWM', 'iShares Russell 2000 ETF', 'etf', 'ARCX'), (14, 'GLD', 'SPDR Gold Shares', 'etf', 'ARCX'),
    (15, 'BTC-USD', 'Bitcoin', 'crypto', 'CBSE'),         (16, 'ETH-USD', 'Ether', 'crypto', 'CBSE'),
    (17, 'SOL-USD', 'Solana', 'crypto', 'CBSE'),          (18, 'EURUSD', 'Euro / US Dollar', 'fx', 'XOFF'),
    (19, 'GBPUSD', 'Pound / US Dollar', 'fx', 'XOFF'),    (20, 'USDJPY', 'US Dollar / Yen', 'fx', 'XOFF'),
    (21, 'ES', 'E-mini S&P 500 Future', 'future', 'XCME'), (22, 'NQ', 'E-mini Nasdaq-100 Future', 'future', 'XCME'),
    (23, 'CL', 'Crude Oil Future', 'future', 'XNYM'),     (24, 'AMD', 'Advanced Micro Devices', 'equity', 'XNAS'),
    (25, 'NFLX', 'Netflix Inc.', 'equity', 'XNAS'),       (26, 'BAC', 'Bank of America Corp.', 'equity', 'XNYS'),
    (27, 'KO', 'Coca-Cola Co.', 'equity', 'XNYS'),        (28, 'PFE', 'Pfizer Inc.', 'equity', 'XNYS'),
    (29, 'DIS', 'Walt Disney Co.', 'equity', 'XNYS'),     (30, 'COIN', 'Coinbase Global Inc.', 'equity', 'XNAS')
) AS known (id, symbol, name, asset_class, exchange) ON known.id = g;

-- Hourly candles for the most traded instruments: 300 hours each, a drifting random walk.
INSERT INTO candles (instrument_id, interval, bucket, open, high, low, close, volume)
SELECT inst, '1h', bucket, open, greatest(open, close) * (1 + r3 * 0.004),
       least(open, close) * (1 - r4 * 0.004), close, 100 + r3 * 100000
FROM (SELECT inst, bucket, r3, r4,
             base * (1 + 0.08 * sin(h / 24.0::float8 + inst)) AS open,
             base * (1 + 0.08 * sin((h + 1) / 24.0::float8 + inst) + (r5 - 0.5) * 0.004) AS close
      FROM (SELECT inst, h, date_trunc('hour', now()) - interval '1 hour' * h AS bucket,
                   10 + (inst * 37) % 490 AS base, random() AS r3, random() AS r4, random() AS r5
            FROM seed_size, generate_series(1, seed_size.candle_instruments) AS inst,
                 generate_series(0, 299) AS h) AS raw) AS s;

INSERT INTO alerts (id, user_id, instrument_id, condition, threshold, status, created_at, triggered_at)
SELECT g, 1 + floor(power(r1, 2) * (z).users)::bigint, 1 + floor(power(r2, 2) * (z).instruments)::int,
       (ARRAY['price_above', 'price_below', 'pct_change'])[1 + floor(r3 * 3)::int],
       5 + r2 * 500,
       CASE WHEN r3 < 0.6 THEN 'active' WHEN r3 < 0.9 THEN 'triggered' ELSE 'disabled' END,
       now() - interval '1 year' * r4,
       CASE WHEN r3 >= 0.6 AND r3 < 0.9 THEN now() - interval '1 year' * r4 * r1 END
FROM (SELECT g, z, random() AS r1, random() AS r2, random() AS r3, random() AS r4
      FROM seed_size AS z, generate_series(1, z.alerts) AS g) AS s;

INSERT INTO notifications (id, user_id, kind, title, body, read_at, created_at)
SELECT g, 1 + floor(power(r1, 2) * (z).users)::bigint, kind,
       CASE kind WHEN 'fill' THEN 'Order filled' WHEN 'alert' THEN 'Price alert triggered'
                 WHEN 'deposit' THEN 'Deposit received' WHEN 'margin_call' THEN 'Margin call'
                 ELSE 'Scheduled maintenance' END,
       'Notification ' || g || ' for your account; see the app for details.',
       CASE WHEN r3 < 0.8 THEN now() - interval '90 days' * r4 * r3 END,
       now() - interval '90 days' * r4
FROM (SELECT g, z, r1, r3, r4,
             (ARRAY['fill', 'fill', 'fill', 'alert', 'deposit', 'margin_call', 'system'])[1 + floor(r2 * 7)::int] AS kind
      FROM (SELECT g, z, random() AS r1, random() AS r2, random() AS r3, random() AS r4
            FROM seed_size AS z, generate_series(1, z.notifications) AS g) AS raw) AS s;

INSERT INTO audit_logs (id, user_id, actor, action, entity_type, entity_id, ip, details, created_at)
SELECT g, u, CASE WHEN r2 < 0.9 THEN 'user' ELSE 'support' END, action,
       split_part(action, '.', 1), CASE WHEN action LIKE 'order.%' THEN 1 + floor(r3 * (z).orders)::bigint ELSE u END,
       '10.0.0.0'::inet + floor(r3 * 16000000)::bigint,
       jsonb_build_object('user_agent', (ARRAY['ios/7.12', 'android/7.11', 'web/2025.11', 'api/v3'])[1 + floor(r4 * 4)::int],
                          'request_id', md5('req' || g),
                          'changes', jsonb_build_object('field', action, 'old', floor(r3 * 100), 'new', floor(r4 * 100))),
       now() - interval '90 days' * r1
FROM (SELECT g, z, r1, r2, r3, r4, 1 + floor(power(r1, 2) * (z).users)::bigint AS u,
             (ARRAY['user.login', 'user.login', 'user.login', 'order.place', 'order.place', 'order.cancel',
                    'account.withdrawal_request', 'user.settings_update', 'api_key.create'])[1 + floor(r2 * 9)::int] AS action
      FROM (SELECT g, z, random() AS r1, random() AS r2, random() AS r3, random() AS r4
            FROM seed_size AS z, generate_series(1, z.audit_logs) AS g) AS raw) AS s;

INSERT INTO watchlists (id, user_id, name, created_at)
SELECT g, 1 + (g * 7) % z.users, (ARRAY['Main', 'Tech', 'Crypto', 'Dividends', 'Swing trades'])[1 + g % 5],
       now() - interval '2 years' * random()
FROM seed_size AS z, generate_series(1, z.watchlists) AS g;

INSERT INTO watchlist_items (watchlist_id, instrument_id, added_at)
SELECT w, 1 + (w * 13 + k) % z.instruments, now() - interval '1 year' * random()
FROM seed_size AS z, generate_series(1, z.watchlists) AS w
JOIN (VALUES (0), (1), (2), (3), (4)) AS items (k) ON k <= w % 5;

-- Identity columns continue after the explicit ids.
SELECT setval(pg_get_serial_sequence('instruments', 'id'), (SELECT max(id) FROM instruments));
SELECT setval(pg_get_serial_sequence('alerts', 'id'), (SELECT max(id) FROM alerts));
SELECT setval(pg_get_serial_sequence('notifications', 'id'), (SELECT max(id) FROM notifications));
SELECT setval(pg_get_serial_sequence('audit_logs', 'id'), (SELECT max(id) FROM audit_logs));
SELECT setval(pg_get_serial_sequence('watchlists', 'id'), (SELECT max(id) FROM watchlists));

-- Statistics for these tables, gathered while the other session is still loading orders.
ANALYZE instruments, candles, alerts, notifications, audit_logs, watchlists, watchlist_items;

RESET jit;
RESET work_mem;
RESET session_replication_role;
