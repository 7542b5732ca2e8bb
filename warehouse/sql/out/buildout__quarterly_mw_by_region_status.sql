-- The datacenter MW pipeline of report month $report_month: per quarter, state, ISO, ladder
-- status, measure and source, the MW and the sites behind them. `quarter` is the first day of
-- the quarter whose END the status and MW describe.
--   it_mw, facility_mw  Epoch AI's timelines (source epoch_datacenters): per site, the latest
--                       dated row on or before each quarter end is carried forward step-wise
--                       (never interpolated), from the quarter of its first row to the
--                       horizon: the quarter of the vintage's last dated row (of any site), or
--                       the report month's quarter if later. A site never drops out after its
--                       last row. A quarter is projected when it starts after the report
--                       month's quarter or the carried row is one of Epoch's projections.
--                       Sites of core.datacenter__facilities that Epoch does not date fill the
--                       report month's quarter under their anchor source (the facility_id
--                       prefix) with the facility's MW: NULL when no source gives any, so they
--                       are counted (n_sites_without_mw) but never turned into 0 MW. The
--                       facilities table has resolved records across sources, so a site is
--                       counted once: under epoch_datacenters when Epoch dates it (its
--                       facility_id is in the timelines), else once under its anchor source.
--   queued_load_mw      load requests (request_class 'load') of every interconnection queue
--                       of the month, one site per request.
--   planned_generation_mw  EIA-860M generators of the Planned sheet by plant (generation, not
--                       load: never added to the load measures).
-- Snapshot sources (queues, EIA-860M, facilities) fill the report month's quarter. Queue and
-- EIA-860M statuses reach the ladder through core.power__codes_normalization (dimension
-- ladder_status; key status|status_raw for queues, status_code for EIA-860M); a status no
-- rule maps, and an Epoch or facility status that is NULL, is 'unknown'.
-- Measures are summed per site first (a plant's generators, an Epoch site's one carried row),
-- then per row; a row's mw is NULL when none of its sites has a known MW.
WITH month_quarter AS (
    SELECT date_trunc('quarter', $report_month::DATE)::DATE AS quarter
),
timeline AS (
    SELECT data_center, facility_id, state, timeline_date, is_projected, status, it_mw,
           facility_mw
    FROM core.datacenter__epoch_timelines
    WHERE report_month = $report_month
),
horizon AS (
    SELECT greatest(date_trunc('quarter', max(timeline_date)),
                    (SELECT quarter FROM month_quarter)) AS last_quarter
    FROM timeline
),
site_quarters AS (
    SELECT data_center,
           unnest(generate_series(date_trunc('quarter', min(timeline_date)),
                                  (SELECT last_quarter FROM horizon),
                                  INTERVAL 3 MONTH))::DATE AS quarter
    FROM timeline
    GROUP BY data_center
),
carried AS (
    SELECT q.quarter, t.data_center, t.state, t.status, t.it_mw, t.facility_mw,
           t.is_projected OR q.quarter > (SELECT quarter FROM month_quarter) AS is_projected
    FROM site_quarters q
    JOIN timeline t ON t.data_center = q.data_center
                   AND t.timeline_date < q.quarter + INTERVAL 3 MONTH
    QUALIFY row_number() OVER (PARTITION BY q.data_center, q.quarter
                               ORDER BY t.timeline_date DESC) = 1
),
undated_sites AS (
    SELECT f.facility_id, f.state, f.status, f.it_mw, f.facility_mw,
           split_part(f.facility_id, ':', 1) AS source
    FROM core.datacenter__facilities f
    WHERE f.report_month = $report_month
      AND f.facility_id NOT IN (SELECT facility_id FROM timeline WHERE facility_id IS NOT NULL)
),
site_measures AS (
    SELECT quarter, is_projected, state, NULL AS iso, status, NULL AS ladder_source,
           NULL AS ladder_key, 'epoch_datacenters' AS source, data_center AS site,
           'it_mw' AS measure, it_mw AS mw
    FROM carried
    UNION ALL
    SELECT quarter, is_projected, state, NULL, status, NULL, NULL, 'epoch_datacenters',
           data_center, 'facility_mw', facility_mw
    FROM carried
    UNION ALL
    SELECT (SELECT quarter FROM month_quarter), false, state, NULL, status, NULL, NULL,
           source, facility_id, 'it_mw', it_mw
    FROM undated_sites
    UNION ALL
    SELECT (SELECT quarter FROM month_quarter), false, state, NULL, status, NULL, NULL,
           source, facility_id, 'facility_mw', facility_mw
    FROM undated_sites
    UNION ALL
    SELECT (SELECT quarter FROM month_quarter), false, state, iso, NULL, source,
           status || '|' || coalesce(status_raw, ''), source, project_id, 'queued_load_mw',
           capacity_mw
    FROM core.power__interconnection_queue_projects
    WHERE report_month = $report_month AND request_class = 'load'
    UNION ALL
    -- the ISO of the plant's balancing authority where it is one of the queues' ISOs
    SELECT (SELECT quarter FROM month_quarter), false, state,
           CASE balancing_authority_code WHEN 'PJM' THEN 'PJM' WHEN 'MISO' THEN 'MISO'
               WHEN 'ERCO' THEN 'ERCOT' WHEN 'CISO' THEN 'CAISO' WHEN 'SWPP' THEN 'SPP'
               WHEN 'NYIS' THEN 'NYISO' WHEN 'BPAT' THEN 'BPA' END,
           NULL, 'eia860m', status_code, 'eia860m', plant_id::VARCHAR,
           'planned_generation_mw', nameplate_capacity_mw
    FROM core.power__eia860m_generators
    WHERE report_month = $report_month AND sheet = 'planned'
),
laddered AS (
    SELECT m.*,
        coalesce(m.status,
                 (SELECT arg_min(c.normalized, c.priority)
                  FROM core.power__codes_normalization c
                  WHERE c.dimension = 'ladder_status' AND c.source IN (m.ladder_source, '*')
                    AND regexp_matches(m.ladder_key, c.pattern, 'i')),
                 'unknown') AS ladder_status
    FROM site_measures m
),
per_site AS (
    SELECT quarter, state, iso, ladder_status AS status, measure, source, site,
           bool_or(is_projected) AS is_projected, sum(mw) AS mw
    FROM laddered
    GROUP BY ALL
)
SELECT $report_month::DATE AS report_month, quarter,
       year(quarter)::VARCHAR || 'Q' || quarter(quarter)::VARCHAR AS quarter_label,
       bool_or(is_projected) AS is_projected, state, iso, status, measure, source,
       count(*) AS n_sites, count(*) FILTER (WHERE mw IS NULL) AS n_sites_without_mw,
       sum(mw) AS mw
FROM per_site
GROUP BY quarter, state, iso, status, measure, source
