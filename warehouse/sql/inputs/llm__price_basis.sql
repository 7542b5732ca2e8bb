-- The per-GPU-hour prices the token-cost projections are computed at: for each GPU model, the
-- cheapest and median on-demand offer (marketplace, spot and commitments excluded), each offer
-- at its latest price on or before the day within 30 days (as gpu__offers_for_tflop.sql).
WITH latest AS (
    SELECT gpu_model, usd_per_gpu_hour
    FROM core.cloud__daily_gpu_offers
    WHERE observation_date <= $observation_date
      AND observation_date > CAST($observation_date AS DATE) - INTERVAL 30 DAY
      AND price_type = 'on_demand' AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
    QUALIFY row_number() OVER (PARTITION BY provider, sku, region, price_type,
                                            commitment_months
                               ORDER BY observation_date DESC) = 1
), per_gpu AS (
    SELECT CAST($observation_date AS DATE) AS observation_date, gpu_model,
           min(usd_per_gpu_hour) AS cheapest_on_demand,
           median(usd_per_gpu_hour) AS median_on_demand
    FROM latest
    GROUP BY ALL
)
UNPIVOT per_gpu ON cheapest_on_demand, median_on_demand
    INTO NAME price_basis VALUE usd_per_gpu_hour
