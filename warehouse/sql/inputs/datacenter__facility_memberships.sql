-- Which site each candidate record of the report month was resolved into (by
-- warehouse.facilities, which wrote core.datacenter__assn_facility_records): the facilities
-- table is built from these and the candidates, without matching again.
SELECT source, record_id, facility_id
FROM core.datacenter__assn_facility_records
WHERE report_month = $report_month
