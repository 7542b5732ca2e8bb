-- The day's market token prices the projections are compared with.
SELECT observation_date, provider, model_id, usd_per_million_input_tokens,
       usd_per_million_output_tokens
FROM core.llm__daily_token_prices
WHERE observation_date = $observation_date
