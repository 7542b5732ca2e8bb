-- What changed in each queue source between its previous vintage (the latest report month
-- before $report_month that the source has in core) and $report_month. One row per project
-- and event:
--   added           listed now, not in the previous vintage
--   withdrawn       in the queue before (active/suspended), now withdrawn or no longer listed
--   completed       now operational, not before
--   status_changed  any other change of normalized status
--   cod_slipped     proposed COD moved later (months_slipped > 0)
--   mw_changed      requested MW changed
-- A source without a previous vintage yields no rows (its first month is not all 'added').
WITH cur AS (
    SELECT * FROM core.power__interconnection_queue_projects
    WHERE report_month = $report_month
),
previous_month AS (
    SELECT source, max(report_month) AS previous_report_month
    FROM core.power__interconnection_queue_projects
    WHERE report_month < $report_month
      AND source IN (SELECT DISTINCT source FROM cur)
    GROUP BY source
),
prev AS (
    SELECT p.*, m.previous_report_month
    FROM core.power__interconnection_queue_projects p
    JOIN previous_month m ON p.source = m.source AND p.report_month = m.previous_report_month
),
pairs AS (
    SELECT
        coalesce(c.source, p.source) AS source,
        coalesce(c.iso, p.iso) AS iso,
        coalesce(c.project_id, p.project_id) AS project_id,
        coalesce(c.project_name, p.project_name) AS project_name,
        coalesce(c.request_class, p.request_class) AS request_class,
        coalesce(c.fuel, p.fuel) AS fuel,
        coalesce(c.capacity_mw, p.capacity_mw) AS capacity_mw,
        m.previous_report_month,
        c.project_id IS NOT NULL AS listed_now,
        p.project_id IS NOT NULL AS listed_before,
        c.status AS cur_status, p.status AS prev_status,
        c.proposed_cod AS cur_cod, p.proposed_cod AS prev_cod,
        c.capacity_mw AS cur_mw, p.capacity_mw AS prev_mw
    FROM cur c
    FULL OUTER JOIN prev p ON c.source = p.source AND c.project_id = p.project_id
    JOIN previous_month m ON m.source = coalesce(c.source, p.source)
),
events AS (
    SELECT *, 'added' AS event, NULL AS previous_value, cur_status AS current_value,
           NULL::INTEGER AS months_slipped, NULL::DOUBLE AS mw_delta
    FROM pairs WHERE listed_now AND NOT listed_before
    UNION ALL
    SELECT *, 'withdrawn', prev_status,
           CASE WHEN listed_now THEN cur_status ELSE 'no longer listed' END, NULL, NULL
    FROM pairs
    WHERE listed_before AND prev_status IN ('active', 'suspended')
      AND (NOT listed_now OR cur_status = 'withdrawn')
    UNION ALL
    SELECT *, 'completed', prev_status, cur_status, NULL, NULL
    FROM pairs
    WHERE listed_now AND listed_before AND cur_status = 'operational'
      AND prev_status IS DISTINCT FROM 'operational'
    UNION ALL
    SELECT *, 'status_changed', prev_status, cur_status, NULL, NULL
    FROM pairs
    WHERE listed_now AND listed_before AND cur_status IS DISTINCT FROM prev_status
      AND cur_status NOT IN ('withdrawn', 'operational')
    UNION ALL
    SELECT *, 'cod_slipped', prev_cod::VARCHAR, cur_cod::VARCHAR,
           date_diff('month', prev_cod, cur_cod)::INTEGER, NULL
    FROM pairs
    WHERE listed_now AND listed_before AND cur_cod > prev_cod
      AND date_diff('month', prev_cod, cur_cod) > 0
    UNION ALL
    SELECT *, 'mw_changed', prev_mw::VARCHAR, cur_mw::VARCHAR, NULL,
           round(cur_mw - prev_mw, 6)
    FROM pairs
    WHERE listed_now AND listed_before AND abs(cur_mw - prev_mw) > 1e-6
)
SELECT $report_month::DATE AS report_month, previous_report_month, source, iso, project_id,
       project_name, request_class, fuel, event, previous_value, current_value,
       months_slipped, mw_delta, capacity_mw
FROM events
