-- The per-token price lists whose raw tables hold TokenPrice rows (models/records/gpu_clouds.py):
-- DeepInfra and Together, both already in USD per million tokens. A new such list adds one line
-- to `lists`.
WITH lists AS (
    SELECT 'deepinfra' AS provider, * FROM raw.deepinfra__token_prices
    UNION ALL BY NAME
    SELECT 'together' AS provider, * FROM raw.together__token_prices
)
SELECT
    observation_date,
    provider,
    model_id,
    model_name,
    usd_per_million_input_tokens,
    usd_per_million_output_tokens,
    context_length,
    source_url,
    snapshot_sha256
FROM lists
WHERE observation_date = $observation_date
