-- Weekly median on-demand price per GPU-hour up to $report_date, for the eight GPUs with the
-- most offers; live offers and imported history (backfill) as separate lines.
WITH top_gpus AS (
    SELECT gpu_model
    FROM out.gpu__weekly_price_index
    WHERE period_start_date <= $report_date AND price_type = 'on_demand'
    GROUP BY gpu_model
    ORDER BY sum(max_n_offers) DESC, gpu_model
    LIMIT 8
)
SELECT period_start_date, gpu_model,
       CASE WHEN is_backfill THEN 'history' ELSE 'live' END AS origin,
       median_usd_per_gpu_hour, min_usd_per_gpu_hour, max_usd_per_gpu_hour, n_days
FROM out.gpu__weekly_price_index
WHERE period_start_date <= $report_date AND price_type = 'on_demand'
  AND gpu_model IN (SELECT gpu_model FROM top_gpus)
ORDER BY period_start_date, gpu_model, origin
