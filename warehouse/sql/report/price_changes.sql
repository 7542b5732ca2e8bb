-- The 20 largest price changes (by percent, either way) of GPU offers on $report_date against
-- each source's previous observation.
SELECT observation_date, previous_observation_date, source, provider,
       coalesce(gpu_model, sku) AS gpu, sku, region, price_type,
       previous_usd_per_gpu_hour, usd_per_gpu_hour, change_usd_per_gpu_hour, change_percent,
       provider || ' · ' || coalesce(gpu_model, sku) || ' · ' || region || ' · ' || price_type
           AS offer
FROM out.gpu__daily_price_changes
WHERE observation_date = $report_date AND change_type = 'changed'
  AND change_percent IS NOT NULL
ORDER BY abs(change_percent) DESC, offer
LIMIT 20
