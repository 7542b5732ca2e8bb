-- Per architecture on $report_date: the cheapest and the median market price of its API
-- listings and the projected cost floor, blended per million tokens (free listings, priced 0,
-- left out). One row per architecture and series, for a chart.
WITH per_model AS (
    SELECT observation_date, llm_model,
           min(usd_per_million_tokens_blended) AS cheapest_market,
           median(usd_per_million_tokens_blended) AS median_market,
           min(projected_usd_per_million_tokens_blended) AS projected_floor,
           count(*) AS n_listings
    FROM out.llm__daily_market_vs_projected
    WHERE observation_date = $report_date AND usd_per_million_tokens_blended > 0
    GROUP BY ALL
)
SELECT observation_date, llm_model, n_listings, series, usd_per_million_tokens
FROM per_model
UNPIVOT (usd_per_million_tokens FOR series IN (
    cheapest_market AS 'cheapest market price',
    median_market AS 'median market price',
    projected_floor AS 'projected cost floor'))
ORDER BY llm_model, series
