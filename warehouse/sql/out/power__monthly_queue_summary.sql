-- Projects and MW per report month, ISO, request class, fuel and status. MW sums skip unknown
-- (NULL) capacities; a group whose MW are all unknown has NULL MW, never 0.
SELECT report_month, iso, request_class, fuel, status,
       count(*) AS n_projects,
       sum(capacity_mw) AS capacity_mw
FROM core.power__interconnection_queue_projects
WHERE report_month = $report_month
GROUP BY ALL
