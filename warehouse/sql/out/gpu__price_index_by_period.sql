-- The daily GPU price index rolled up to one period, [$period_start, $period_end): the week
-- or month holding the day being rebuilt (out.gpu__weekly_price_index and
-- out.gpu__monthly_price_index share this query; warehouse.transform.ROLLUPS says which
-- period each is). Live offers and imported history stay apart, like the daily index.
SELECT
    $period_start::DATE AS period_start_date,
    gpu_model,
    price_type,
    is_backfill,
    min(min_usd_per_gpu_hour) AS min_usd_per_gpu_hour,
    median(median_usd_per_gpu_hour) AS median_usd_per_gpu_hour,
    max(max_usd_per_gpu_hour) AS max_usd_per_gpu_hour,
    count(*) AS n_days,
    max(n_offers) AS max_n_offers,
    max(n_providers) AS max_n_providers
FROM out.gpu__daily_price_index
WHERE observation_date >= $period_start
  AND observation_date < $period_end
GROUP BY ALL
