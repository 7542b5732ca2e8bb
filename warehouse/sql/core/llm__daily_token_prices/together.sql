-- Together: prices already in USD per million tokens.
SELECT
    observation_date,
    'together' AS provider,
    model_id,
    model_name,
    usd_per_million_input_tokens,
    usd_per_million_output_tokens,
    context_length,
    source_url,
    snapshot_sha256
FROM raw.together__token_prices
WHERE observation_date = $observation_date
