-- City of Chicago building permits mentioning data centers (Socrata SODA)
SELECT 'chicago_permits' AS source, * FROM raw.chicago_permits__permits WHERE observation_date = $report_month
