-- Every queue source's requests in one report month, conformed. Each raw queue table holds the
-- month's vintage under observation_date = $report_month (the first day of the report month).
-- request_class, fuel and status come from core.power__codes_normalization: per dimension, the
-- lowest-priority pattern (source-specific or '*') matching the row's key wins; no match is
-- NULL. A project listed on two sheets of one report (e.g. active and withdrawn) is kept once,
-- from the sheet that says it is still in the queue.
WITH raw_rows AS (
    SELECT 'ercot_gis' AS source, 'ERCOT' AS iso, * FROM raw.ercot_gis__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'miso_queue' AS source, 'MISO' AS iso, * FROM raw.miso_queue__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'pjm_queue' AS source, 'PJM' AS iso, * FROM raw.pjm_queue__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'caiso_queue' AS source, 'CAISO' AS iso, * FROM raw.caiso_queue__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'spp_queue' AS source, 'SPP' AS iso, * FROM raw.spp_queue__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'nyiso_queue' AS source, 'NYISO' AS iso, * FROM raw.nyiso_queue__projects
    WHERE observation_date = $report_month
    UNION ALL BY NAME
    SELECT 'bpa_queue' AS source, 'BPA' AS iso, * FROM raw.bpa_queue__requests
    WHERE observation_date = $report_month
),
keyed AS (
    SELECT *,
        coalesce(fuel_raw, '') || '|' || coalesce(technology_raw, '') AS fuel_key,
        sheet || '|' || coalesce(status_raw, '') AS status_key,
        sheet || '|' || coalesce(request_type_raw, '') AS class_key
    FROM raw_rows
),
codes AS (
    SELECT source AS code_source, dimension, pattern, normalized, priority
    FROM core.power__codes_normalization
),
normalized AS (
    SELECT k.*,
        (SELECT arg_min(c.normalized, c.priority) FROM codes c
         WHERE c.dimension = 'fuel' AND c.code_source IN (k.source, '*')
           AND regexp_matches(k.fuel_key, c.pattern, 'i')) AS fuel,
        (SELECT arg_min(c.normalized, c.priority) FROM codes c
         WHERE c.dimension = 'status' AND c.code_source IN (k.source, '*')
           AND regexp_matches(k.status_key, c.pattern, 'i')) AS status,
        (SELECT arg_min(c.normalized, c.priority) FROM codes c
         WHERE c.dimension = 'request_class' AND c.code_source IN (k.source, '*')
           AND regexp_matches(k.class_key, c.pattern, 'i')) AS request_class
    FROM keyed k
)
SELECT
    report_month, source, iso, project_id, project_name, request_class, fuel, fuel_raw,
    technology_raw, capacity_mw, status, status_raw, study_phase, state, county, developer,
    poi_name, queue_date, proposed_cod, withdrawn_date, in_service_date, sheet,
    snapshot_sha256
FROM normalized
QUALIFY row_number() OVER (
    PARTITION BY source, project_id
    ORDER BY CASE status WHEN 'active' THEN 0 WHEN 'suspended' THEN 1
                         WHEN 'operational' THEN 2 ELSE 3 END,
             sheet, row_number) = 1
