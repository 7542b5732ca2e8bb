-- Spread of per-GPU-hour prices per GPU model and price type on one day, live offers and
-- imported history (is_backfill) apart, so a chart can include or leave out the backfill.
SELECT
    observation_date,
    gpu_model,
    price_type,
    is_backfill,
    min(usd_per_gpu_hour) AS min_usd_per_gpu_hour,
    median(usd_per_gpu_hour) AS median_usd_per_gpu_hour,
    max(usd_per_gpu_hour) AS max_usd_per_gpu_hour,
    count(*) AS n_offers,
    count(DISTINCT provider) AS n_providers
FROM core.cloud__daily_gpu_offers
WHERE observation_date = $observation_date
  AND gpu_model IS NOT NULL
  AND usd_per_gpu_hour IS NOT NULL
GROUP BY ALL
