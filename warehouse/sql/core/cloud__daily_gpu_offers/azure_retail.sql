-- Azure: one row per VM size, region, price type and term; GPU model and count come from the
-- maintained VM size table (core.cloud__codes_azure_vm_skus).
SELECT
    a.observation_date,
    'azure' AS provider,
    a.arm_sku_name AS sku,
    a.arm_region_name AS region,
    a.arm_sku_name AS provider_gpu_name,
    s.gpu_model,
    s.gpu_count,
    a.price_type,
    a.commitment_months,
    a.usd_per_hour,
    a.usd_per_hour / s.gpu_count AS usd_per_gpu_hour,
    g.memory_gb AS gpu_memory_gb,
    s.vcpus,
    s.memory_gb,
    'instance' AS price_basis,
    false AS is_backfill,
    'live' AS origin,
    'azure_retail' AS source,
    a.source_url,
    a.snapshot_sha256
FROM raw.azure_retail__gpu_prices AS a
LEFT JOIN core.cloud__codes_azure_vm_skus AS s USING (arm_sku_name)
LEFT JOIN core.gpu__entity_models AS g ON g.gpu_model = s.gpu_model
WHERE a.observation_date = $observation_date
