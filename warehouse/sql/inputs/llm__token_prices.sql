-- The market token prices the projections are compared with: each provider's model at its
-- latest price on or before the day within 30 days, reported for the day.
SELECT CAST($observation_date AS DATE) AS observation_date, provider, model_id,
       usd_per_million_input_tokens, usd_per_million_output_tokens
FROM core.llm__daily_token_prices
WHERE observation_date <= $observation_date
  AND observation_date > CAST($observation_date AS DATE) - INTERVAL 30 DAY
QUALIFY row_number() OVER (PARTITION BY provider, model_id ORDER BY observation_date DESC) = 1
