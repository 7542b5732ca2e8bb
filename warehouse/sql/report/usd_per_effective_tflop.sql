-- The cheapest on-demand dollars per effective TFLOP-hour per GPU model and precision on
-- $report_date, with the offer it comes from.
SELECT observation_date, gpu_model, precision, usd_per_effective_tflop_hour,
       usd_per_gpu_hour, effective_tflops, utilization, provider, region
FROM out.gpu__daily_usd_per_effective_tflop
WHERE observation_date = $report_date AND price_type = 'on_demand'
  AND usd_per_effective_tflop_hour IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY gpu_model, precision
                           ORDER BY usd_per_effective_tflop_hour, provider, sku, region) = 1
ORDER BY gpu_model, precision
