-- Datacenter MW per region (state, else ISO) and status, per measure: the newest vintage
-- (report month) on or before $report_date, at its latest quarter on or before that date. The
-- only query that reads this buildout table. Summing over sources within a measure counts no
-- site twice: the table puts each site under one source (see its description); measures are
-- never added together.
WITH vintage AS (
    SELECT max(report_month) AS report_month
    FROM out.buildout__quarterly_mw_by_region_status
    WHERE report_month <= $report_date
),
rows AS (
    SELECT * FROM out.buildout__quarterly_mw_by_region_status JOIN vintage USING (report_month)
),
latest AS (
    SELECT max(quarter) AS quarter FROM rows WHERE quarter <= $report_date
)
SELECT quarter, coalesce(state, iso, 'unknown') AS region, status, measure,
       sum(mw) AS mw, sum(n_sites) AS n_sites
FROM rows
JOIN latest USING (quarter)
GROUP BY ALL
ORDER BY measure, mw DESC NULLS LAST, region, status
