-- The per-GPU-hour prices the token-cost projections are computed at: for each GPU model, the
-- day's cheapest and median on-demand offer (marketplace, spot and commitments excluded).
WITH per_gpu AS (
    SELECT observation_date, gpu_model,
           min(usd_per_gpu_hour) AS cheapest_on_demand,
           median(usd_per_gpu_hour) AS median_on_demand
    FROM core.cloud__daily_gpu_offers
    WHERE observation_date = $observation_date AND price_type = 'on_demand'
      AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
    GROUP BY ALL
)
UNPIVOT per_gpu ON cheapest_on_demand, median_on_demand
    INTO NAME price_basis VALUE usd_per_gpu_hour
