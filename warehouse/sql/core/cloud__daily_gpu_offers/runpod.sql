-- RunPod: prices are per GPU, one offer per GPU type and cloud; community-cloud on-demand
-- capacity is listed by hosts, so it is a marketplace price.
WITH aliases AS (
    SELECT alias_key, any_value(gpu_model) AS gpu_model
    FROM core.gpu__codes_aliases
    GROUP BY alias_key
)
SELECT
    r.observation_date,
    'runpod' AS provider,
    r.gpu_type_id || ' (' || r.cloud || ' cloud)' AS sku,
    'global' AS region,
    r.gpu_type_id AS provider_gpu_name,
    m.gpu_model,
    1.0 AS gpu_count,
    CASE WHEN r.cloud = 'community' AND r.price_type = 'on_demand' THEN 'marketplace'
         ELSE r.price_type END AS price_type,
    r.commitment_months,
    r.usd_per_gpu_hour AS usd_per_hour,
    r.usd_per_gpu_hour,
    coalesce(g.memory_gb, r.memory_gb) AS gpu_memory_gb,
    NULL AS vcpus,
    NULL AS memory_gb,
    'gpu' AS price_basis,
    false AS is_backfill,
    'live' AS origin,
    'runpod' AS source,
    r.source_url,
    r.snapshot_sha256
FROM raw.runpod__gpu_prices AS r
LEFT JOIN aliases AS m
    ON m.alias_key = regexp_replace(lower(r.gpu_type_id), '[^a-z0-9]', '', 'g')
LEFT JOIN core.gpu__entity_models AS g ON g.gpu_model = m.gpu_model
WHERE r.observation_date = $observation_date
