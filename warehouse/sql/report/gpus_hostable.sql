-- GPUs the datacenter buildout could host, per GPU model and basis, summed over states, in
-- the latest quarter on or before $report_date, with the low and high bounds. The only query
-- that reads this buildout table.
WITH latest AS (
    SELECT max(quarter) AS quarter
    FROM out.buildout__gpu_capacity_equivalent
    WHERE quarter <= $report_date
)
SELECT quarter, gpu_model, basis,
       sum(gpus_hostable) AS gpus_hostable,
       sum(gpus_hostable_low) AS gpus_hostable_low,
       sum(gpus_hostable_high) AS gpus_hostable_high
FROM out.buildout__gpu_capacity_equivalent
JOIN latest USING (quarter)
GROUP BY ALL
ORDER BY gpus_hostable DESC, gpu_model, basis
