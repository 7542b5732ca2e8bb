-- Loudoun County, VA issued building permits (monthly Permits - Issued Building Report)
SELECT 'loudoun_permits' AS source, * FROM raw.loudoun_permits__permits WHERE observation_date = $report_month
