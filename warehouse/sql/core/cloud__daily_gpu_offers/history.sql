-- Offers imported from third-party price history (compute-atlas import-history): marked
-- is_backfill, with the history format as their origin, so the index can include or leave
-- them out. Prices arrive normalised like the live GpuOffer sources.
WITH aliases AS (
    SELECT alias_key, any_value(gpu_model) AS gpu_model
    FROM core.gpu__codes_aliases
    GROUP BY alias_key
)
SELECT
    h.observation_date,
    lower(h.provider) AS provider,
    h.sku,
    h.region,
    h.provider_gpu_name,
    m.gpu_model,
    h.gpu_count,
    h.price_type,
    h.commitment_months,
    h.usd_per_hour,
    h.usd_per_gpu_hour,
    coalesce(h.gpu_memory_gb, g.memory_gb) AS gpu_memory_gb,
    h.vcpus,
    h.memory_gb,
    h.price_basis,
    true AS is_backfill,
    h.origin,
    'history_' || replace(h.origin, '-', '_') AS source,
    h.source_url,
    h.snapshot_sha256
FROM raw.history__gpu_offers AS h
LEFT JOIN aliases AS m
    ON m.alias_key = regexp_replace(lower(h.provider_gpu_name), '[^a-z0-9]', '', 'g')
LEFT JOIN core.gpu__entity_models AS g ON g.gpu_model = m.gpu_model
WHERE h.observation_date = $observation_date
