-- Offers with a known GPU and per-GPU price, the input of $ per effective TFLOP. Every offer
-- seen in the 30 days up to the day contributes its latest price on or before the day
-- (sources are not scraped every day, so same-day prices alone leave days empty); rows carry
-- the day they are projected for.
SELECT CAST($observation_date AS DATE) AS observation_date, provider, sku, region,
       price_type, commitment_months, gpu_model, usd_per_gpu_hour
FROM core.cloud__daily_gpu_offers
WHERE observation_date <= $observation_date
  AND observation_date > CAST($observation_date AS DATE) - INTERVAL 30 DAY
  AND gpu_model IS NOT NULL AND usd_per_gpu_hour IS NOT NULL
QUALIFY row_number() OVER (PARTITION BY provider, sku, region, price_type, commitment_months
                           ORDER BY observation_date DESC) = 1
