-- Thirty days of activity per account with the median fill price: the sort behind the median and the grouping spills to temp files.
SELECT account_id, count(*) AS fills, sum(quantity * price) AS notional,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median_price
FROM trades
WHERE executed_at >= now() - interval '30 days'
GROUP BY account_id
ORDER BY notional DESC
LIMIT 100
