-- Maricopa County, AZ assessor parcels with use 1507 DATA CENTERS (ArcGIS)
SELECT 'maricopa_parcels' AS source, * FROM raw.maricopa_parcels__parcels WHERE observation_date = $report_month
