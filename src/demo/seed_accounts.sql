-- Demo data, part one: users, their accounts, orders, trades and positions. Set-based and
-- deterministic (setseed; timestamps are relative to now()); runs on its own session in
-- parallel with seed_market.sql, after seed_size.sql.
--
-- Foreign-key triggers are skipped during the load (session_replication_role = replica): the
-- rows are generated consistent with every constraint, and checking them one trigger call per
-- row would triple the load time. The demo tests verify there are no orphans.

SET session_replication_role = replica;
SET work_mem = '256MB';
SET jit = off;
SELECT setseed(0.4242);

INSERT INTO users (id, email, username, country, tier, status, created_at, last_login_at)
SELECT g,
       'trader' || g || '@example.com',
       'trader_' || g,
       (ARRAY['US', 'US', 'US', 'GB', 'DE', 'FR', 'NL', 'SG', 'JP', 'CA', 'AU', 'CH'])[1 + floor(r1 * 12)::int],
       CASE WHEN r2 < 0.90 THEN 'retail' WHEN r2 < 0.99 THEN 'pro' ELSE 'institutional' END,
       CASE WHEN r3 < 0.95 THEN 'active' WHEN r3 < 0.98 THEN 'suspended' ELSE 'closed' END,
       now() - interval '3 years' * r4,
       now() - interval '30 days' * r4 * r1
FROM (SELECT g, random() AS r1, random() AS r2, random() AS r3, random() AS r4
      FROM seed_size, generate_series(1, seed_size.users) AS g) AS s;

-- Account ids 1..users are the cash accounts (account id = user id); every fifth user also has
-- a margin account, numbered users + k for user 5k.
INSERT INTO accounts (id, user_id, kind, currency, balance, status, created_at)
SELECT g, g, 'cash', 'USD', random() * 50000,
       CASE WHEN g % 97 = 0 THEN 'frozen' ELSE 'open' END,
       now() - interval '3 years' * random()
FROM seed_size, generate_series(1, seed_size.users) AS g;
INSERT INTO accounts (id, user_id, kind, currency, balance, created_at)
SELECT seed_size.users + k, 5 * k, 'margin', 'USD', random() * 250000,
       now() - interval '2 years' * random()
FROM seed_size, generate_series(1, seed_size.users / 5) AS k;

-- Orders: a few very active accounts place most of them (power-law), most orders are filled.
-- Prices and quantities are computed as float8 and rounded by the columns' numeric typmods.
INSERT INTO orders (id, account_id, user_id, instrument_id, client_order_id, side, type, time_in_force,
                    status, quantity, limit_price, filled_quantity, avg_fill_price, created_at, updated_at)
SELECT g, a,
       CASE WHEN a <= users THEN a ELSE 5 * (a - users) END,
       inst,
       ('5eed0000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
       CASE WHEN r2 < 0.52 THEN 'buy' ELSE 'sell' END,
       CASE WHEN r3 < 0.45 THEN 'market' WHEN r3 < 0.90 THEN 'limit' WHEN r3 < 0.96 THEN 'stop' ELSE 'stop_limit' END,
       CASE WHEN r3 < 0.45 THEN 'ioc' WHEN r2 < 0.7 THEN 'day' ELSE 'gtc' END,
       status,
       qty,
       CASE WHEN r3 >= 0.45 THEN base * (0.97 + r4 * 0.06) END,
       CASE status WHEN 'filled' THEN qty WHEN 'partially_filled' THEN qty / 2 ELSE 0 END,
       CASE WHEN status IN ('filled', 'partially_filled') THEN base * (0.98 + r4 * 0.04) END,
       created_at,
       created_at + interval '3 seconds' * r4
FROM (SELECT g, a, inst, users, r2, r3, r4,
             10 + (inst * 37) % 490 AS base,
             CASE WHEN age < 0.002 THEN (ARRAY['new', 'new', 'partially_filled'])[1 + floor(r4 * 3)::int]
                  WHEN r2 < 0.62 THEN 'filled'
                  WHEN r2 < 0.66 THEN 'partially_filled'
                  WHEN r2 < 0.86 THEN 'cancelled'
                  WHEN r2 < 0.90 THEN 'rejected'
                  ELSE 'expired' END AS status,
             1 + floor(r3 * 200) AS qty,
             now() - interval '180 days' * age AS created_at
      FROM (SELECT g, z.users, random() AS r2, random() AS r3, random() AS r4, random() AS age,
                   1 + floor(power(random(), 2.5) * (z.users + z.users / 5))::bigint AS a,
                   1 + floor(power(random(), 1.6) * z.instruments)::int AS inst
            FROM seed_size AS z, generate_series(1, z.orders) AS g) AS raw) AS s;

-- Trades: one to three fills per filled order. A venue resends some fills: about one order in
-- a hundred carries the same external_trade_id twice (problems.sql needs those duplicates).
INSERT INTO trades (order_id, account_id, instrument_id, side, quantity, price, fee, liquidity, venue,
                    external_trade_id, executed_at)
SELECT o.id, o.account_id, o.instrument_id, o.side,
       o.filled_quantity / (1 + o.id % 3),
       o.avg_fill_price * (0.999 + f * 0.0005),
       o.filled_quantity / (1 + o.id % 3) * o.avg_fill_price * 0.0005,
       CASE WHEN o.type = 'limit' THEN 'maker' ELSE 'taker' END,
       (ARRAY['XNAS', 'XNYS', 'ARCX', 'BATS', 'IEXG', 'EDGX'])[1 + (o.id + f) % 6],
       'FIX-' || o.id || '-' || CASE WHEN f = 2 AND o.id % 101 = 0 THEN 1 ELSE f END,
       o.created_at + interval '150 milliseconds' * f
FROM orders AS o
JOIN (VALUES (1), (2), (3)) AS fills (f) ON f <= 1 + o.id % 3
WHERE o.status IN ('filled', 'partially_filled');

-- Positions: up to three instruments per account (distinct: instruments > 14, g / n < 3).
INSERT INTO positions (id, account_id, instrument_id, quantity, avg_cost, realized_pnl, unrealized_pnl, updated_at)
SELECT g, a, 1 + (a * 31 + (g - 1) / n * 7) % instruments,
       1 + random() * 500, 10 + random() * 490, (random() - 0.4) * 5000, (random() - 0.5) * 2000,
       now() - interval '7 days' * random()
FROM (SELECT g, n, z.instruments, 1 + (g - 1) % n AS a
      FROM seed_size AS z,
           LATERAL (SELECT z.users + z.users / 5 AS n) AS accounts_total,
           LATERAL generate_series(1, z.positions) AS g) AS s;

-- Identity columns continue after the explicit ids.
SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users));
SELECT setval(pg_get_serial_sequence('accounts', 'id'), (SELECT max(id) FROM accounts));
SELECT setval(pg_get_serial_sequence('orders', 'id'), (SELECT max(id) FROM orders));
SELECT setval(pg_get_serial_sequence('positions', 'id'), (SELECT max(id) FROM positions));

RESET jit;
RESET work_mem;
RESET session_replication_role;
