-- City of Mesa, AZ building permits, commercial (Socrata SODA)
SELECT 'mesa_permits' AS source, * FROM raw.mesa_permits__permits WHERE observation_date = $report_month
