-- GPUs the datacenter buildout could host (a compute equivalent, never installed GPUs), per GPU
-- model and basis (IT MW, facility MW), summed over states: the newest vintage (report month)
-- on or before $report_date, at its latest quarter on or before that date, with the low and
-- high bounds. The only query that reads this buildout table.
WITH vintage AS (
    SELECT max(report_month) AS report_month
    FROM out.buildout__gpu_capacity_equivalent
    WHERE report_month <= $report_date
),
rows AS (
    SELECT * FROM out.buildout__gpu_capacity_equivalent JOIN vintage USING (report_month)
),
latest AS (
    SELECT max(quarter) AS quarter FROM rows WHERE quarter <= $report_date
),
by_basis AS (
    SELECT quarter, gpu_model, 'it_mw' AS basis, gpus_from_it_mw AS gpus_hostable,
           gpus_from_it_mw_low AS gpus_hostable_low, gpus_from_it_mw_high AS gpus_hostable_high
    FROM rows JOIN latest USING (quarter)
    UNION ALL
    SELECT quarter, gpu_model, 'facility_mw', gpus_from_facility_mw, gpus_from_facility_mw_low,
           gpus_from_facility_mw_high
    FROM rows JOIN latest USING (quarter)
)
SELECT quarter, gpu_model, basis,
       sum(gpus_hostable) AS gpus_hostable,
       sum(gpus_hostable_low) AS gpus_hostable_low,
       sum(gpus_hostable_high) AS gpus_hostable_high
FROM by_basis
GROUP BY ALL
HAVING sum(gpus_hostable) IS NOT NULL
ORDER BY gpus_hostable DESC, gpu_model, basis
