-- Offers with a known GPU and per-GPU price, the input of $ per effective TFLOP.
SELECT observation_date, provider, sku, region, price_type, commitment_months, gpu_model,
       usd_per_gpu_hour
FROM core.cloud__daily_gpu_offers
WHERE observation_date = $observation_date
  AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
