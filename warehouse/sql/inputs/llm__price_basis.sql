-- The per-GPU-hour prices the token-cost projections are computed at: for each GPU model, the
-- day's cheapest and median on-demand offer (marketplace, spot and commitments excluded).
SELECT observation_date, gpu_model, 'cheapest_on_demand' AS price_basis,
       min(usd_per_gpu_hour) AS usd_per_gpu_hour
FROM core.cloud__daily_gpu_offers
WHERE observation_date = $observation_date AND price_type = 'on_demand'
  AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
GROUP BY ALL
UNION ALL
SELECT observation_date, gpu_model, 'median_on_demand' AS price_basis,
       median(usd_per_gpu_hour) AS usd_per_gpu_hour
FROM core.cloud__daily_gpu_offers
WHERE observation_date = $observation_date AND price_type = 'on_demand'
  AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
GROUP BY ALL
