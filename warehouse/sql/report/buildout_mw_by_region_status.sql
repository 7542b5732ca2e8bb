-- Datacenter MW per region (state, else ISO) and status in the latest quarter on or before
-- $report_date, per measure. The only query that reads this buildout table.
WITH latest AS (
    SELECT max(quarter) AS quarter
    FROM out.buildout__quarterly_mw_by_region_status
    WHERE quarter <= $report_date
)
SELECT quarter, coalesce(state, iso, 'unknown') AS region, status, measure,
       sum(mw) AS mw, sum(n_sites) AS n_sites
FROM out.buildout__quarterly_mw_by_region_status
JOIN latest USING (quarter)
GROUP BY ALL
ORDER BY measure, mw DESC, region, status
