-- City of Austin, TX issued construction permits mentioning data centers (Socrata SODA)
SELECT 'austin_permits' AS source, * FROM raw.austin_permits__permits WHERE observation_date = $report_month
