-- Per-token prices of the day, converted from USD per token to USD per million tokens.
SELECT
    observation_date,
    'openrouter' AS provider,
    model_id,
    name AS model_name,
    usd_per_input_token * 1e6 AS usd_per_million_input_tokens,
    usd_per_output_token * 1e6 AS usd_per_million_output_tokens,
    context_length,
    source_url,
    snapshot_sha256
FROM raw.openrouter__models
WHERE observation_date = $observation_date
