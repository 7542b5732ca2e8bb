-- The day's projected token costs (built just before in the same transaction), which market
-- prices are compared with.
SELECT *
FROM out.llm__daily_cost_per_1k_tokens
WHERE observation_date = $observation_date
