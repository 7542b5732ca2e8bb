-- What every permit source shares: the status ladder. per_source holds each source's rows of the
-- report month (the per-source files of this folder). status comes from
-- core.power__codes_normalization, dimension ladder_status: the lowest-priority pattern (of the
-- source, or '*') matching kind|record_type|status_raw wins; no match stays NULL (unknown).
SELECT
    f.report_month, f.source, f.jurisdiction, f.record_id, f.kind, f.title, f.description,
    f.filed_date, f.issued_date, f.status_raw,
    (SELECT arg_min(c.normalized, c.priority) FROM core.power__codes_normalization AS c
     WHERE c.dimension = 'ladder_status' AND c.source IN (f.source, '*')
       AND regexp_matches(f.kind || '|' || coalesce(f.record_type, '') || '|'
                          || coalesce(f.status_raw, ''), c.pattern, 'i')) AS status,
    f.square_feet, f.estimated_cost_usd, f.applicant, f.address, f.county, f.state, f.latitude,
    f.longitude, f.location_precision, f.classification_method, f.classification_evidence,
    f.snapshot_sha256
FROM per_source AS f
