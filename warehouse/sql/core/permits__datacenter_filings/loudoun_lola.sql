-- Loudoun County, VA LOLA land-use and plan applications (ArcGIS)
SELECT 'loudoun_lola' AS source, * FROM raw.loudoun_lola__applications WHERE observation_date = $report_month
