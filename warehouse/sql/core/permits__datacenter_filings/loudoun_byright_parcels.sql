-- Loudoun County, VA parcels where data centers are a by-right use (ArcGIS, GeoJSON)
SELECT 'loudoun_byright_parcels' AS source, * FROM raw.loudoun_byright_parcels__zoning_parcels WHERE observation_date = $report_month
