-- EIA-860M generators of one monthly workbook (observation_date = $report_month, the first
-- day of the report month), with a normalized status from core.power__codes_normalization
-- (dimension eia_status, key status_code). Rows of the Retired sheet whose code is blank are
-- retired; rows of the Canceled or Postponed sheet whose code is blank are canceled.
SELECT
    g.report_month, g.plant_id, g.generator_id, g.sheet, g.plant_name, g.entity_name, g.state,
    g.county, g.balancing_authority_code, g.technology, g.energy_source_code,
    g.prime_mover_code, g.nameplate_capacity_mw, g.net_summer_capacity_mw, g.status_code,
    coalesce(
        (SELECT arg_min(c.normalized, c.priority) FROM core.power__codes_normalization c
         WHERE c.dimension = 'eia_status' AND c.source IN ('eia860m', '*')
           AND regexp_matches(coalesce(g.status_code, ''), c.pattern, 'i')),
        CASE g.sheet WHEN 'retired' THEN 'retired' WHEN 'canceled' THEN 'canceled' END
    ) AS status,
    g.operating_month, g.planned_operation_month, g.retirement_month, g.latitude,
    g.longitude, g.snapshot_sha256
FROM raw.eia860m__generators g
WHERE g.observation_date = $report_month
