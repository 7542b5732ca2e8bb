-- Provider GPU names of the day's offers that map to no canonical GPU id.
SELECT observation_date, provider, provider_gpu_name, count(*) AS n_offers
FROM core.cloud__daily_gpu_offers
WHERE observation_date = $observation_date AND gpu_model IS NULL
GROUP BY ALL
