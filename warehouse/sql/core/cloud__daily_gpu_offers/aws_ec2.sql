-- AWS EC2 price list: whole-instance prices; reserved terms amortise their upfront fee,
-- and the term options are part of the sku.
WITH aliases AS (
    SELECT alias_key, any_value(gpu_model) AS gpu_model
    FROM core.gpu__codes_aliases
    GROUP BY alias_key
)
SELECT
    o.observation_date,
    'aws' AS provider,
    o.sku,
    o.region,
    o.provider_gpu_name,
    m.gpu_model,
    o.gpu_count,
    o.price_type,
    o.commitment_months,
    o.usd_per_hour,
    o.usd_per_gpu_hour,
    coalesce(o.gpu_memory_gb, g.memory_gb) AS gpu_memory_gb,
    o.vcpus,
    o.memory_gb,
    o.price_basis,
    false AS is_backfill,
    'live' AS origin,
    'aws_ec2' AS source,
    o.source_url,
    o.snapshot_sha256
FROM raw.aws_ec2__gpu_offers AS o
LEFT JOIN aliases AS m
    ON m.alias_key = regexp_replace(lower(o.provider_gpu_name), '[^a-z0-9]', '', 'g')
LEFT JOIN core.gpu__entity_models AS g ON g.gpu_model = m.gpu_model
WHERE o.observation_date = $observation_date
