-- The cheapest offer per GPU model on $report_date (any price type; ties go to the first
-- provider, SKU and region by name), with the median and how many offers and providers.
SELECT observation_date, gpu_model, usd_per_gpu_hour, provider, sku, region, price_type,
       commitment_months, is_backfill, median_usd_per_gpu_hour, n_offers, n_providers
FROM (
    SELECT *,
           median(usd_per_gpu_hour) OVER (PARTITION BY gpu_model) AS median_usd_per_gpu_hour,
           count(*) OVER (PARTITION BY gpu_model) AS n_offers,
           count(DISTINCT provider) OVER (PARTITION BY gpu_model) AS n_providers
    FROM core.cloud__daily_gpu_offers
    WHERE observation_date = $report_date
      AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
)
QUALIFY row_number() OVER (PARTITION BY gpu_model
                           ORDER BY usd_per_gpu_hour, provider, sku, region) = 1
ORDER BY usd_per_gpu_hour, gpu_model
