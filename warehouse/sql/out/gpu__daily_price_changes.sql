-- What changed in each source's GPU offers between its previous observation (the latest day
-- before $observation_date that the source has offers on, so a missed day does not make every
-- offer 'appeared') and $observation_date. An offer is keyed like core.cloud__daily_gpu_offers
-- (provider, sku, region, price_type, commitment_months), within its source. One row per
-- offer that:
--   appeared     is listed now, not in the previous observation
--   disappeared  was listed in the previous observation, not now
--   changed      is listed in both with a different per-hour or per-GPU-hour price
-- A source without an earlier observation, or without offers today, yields no rows.
-- Imported SkyPilot history is one catalog per cloud (import-history --cloud), filed on the
-- days each was published: each cloud is compared with its own previous catalog (its feed),
-- or a day with only Lambda's catalog would list every GCP offer as disappeared.
WITH offers AS (
    SELECT *, CASE WHEN origin = 'skypilot' THEN source || '/' || provider ELSE source END
                  AS feed
    FROM core.cloud__daily_gpu_offers
),
cur AS (
    SELECT * FROM offers WHERE observation_date = $observation_date
),
previous_day AS (
    SELECT feed, max(observation_date) AS previous_observation_date
    FROM offers
    WHERE observation_date < $observation_date
      AND feed IN (SELECT DISTINCT feed FROM cur)
    GROUP BY feed
),
prev AS (
    SELECT o.*, d.previous_observation_date
    FROM offers o
    JOIN previous_day d
      ON o.feed = d.feed AND o.observation_date = d.previous_observation_date
),
pairs AS (
    SELECT
        d.previous_observation_date,
        coalesce(c.source, p.source) AS source,
        coalesce(c.provider, p.provider) AS provider,
        coalesce(c.sku, p.sku) AS sku,
        coalesce(c.region, p.region) AS region,
        coalesce(c.price_type, p.price_type) AS price_type,
        coalesce(c.commitment_months, p.commitment_months) AS commitment_months,
        coalesce(c.gpu_model, p.gpu_model) AS gpu_model,
        coalesce(c.gpu_count, p.gpu_count) AS gpu_count,
        coalesce(c.is_backfill, p.is_backfill) AS is_backfill,
        CASE
            WHEN p.sku IS NULL THEN 'appeared'
            WHEN c.sku IS NULL THEN 'disappeared'
            WHEN round(c.usd_per_hour, 6) IS DISTINCT FROM round(p.usd_per_hour, 6)
              OR round(c.usd_per_gpu_hour, 6) IS DISTINCT FROM round(p.usd_per_gpu_hour, 6)
                THEN 'changed'
        END AS change_type,
        p.usd_per_hour AS previous_usd_per_hour,
        c.usd_per_hour,
        p.usd_per_gpu_hour AS previous_usd_per_gpu_hour,
        c.usd_per_gpu_hour
    FROM cur c
    FULL OUTER JOIN prev p
      ON c.feed = p.feed AND c.provider = p.provider AND c.sku = p.sku
     AND c.region = p.region AND c.price_type = p.price_type
     AND c.commitment_months = p.commitment_months
    JOIN previous_day d ON d.feed = coalesce(c.feed, p.feed)
)
SELECT
    $observation_date::DATE AS observation_date,
    * EXCLUDE (change_type, previous_usd_per_hour, usd_per_hour, previous_usd_per_gpu_hour,
               usd_per_gpu_hour),
    change_type,
    previous_usd_per_hour, usd_per_hour, previous_usd_per_gpu_hour, usd_per_gpu_hour,
    CASE WHEN change_type = 'changed'
         THEN round(usd_per_gpu_hour - previous_usd_per_gpu_hour, 6) END
        AS change_usd_per_gpu_hour,
    CASE WHEN change_type = 'changed' AND previous_usd_per_gpu_hour > 0
         THEN round(100 * (usd_per_gpu_hour - previous_usd_per_gpu_hour)
                    / previous_usd_per_gpu_hour, 4) END AS change_percent
FROM pairs
WHERE change_type IS NOT NULL
