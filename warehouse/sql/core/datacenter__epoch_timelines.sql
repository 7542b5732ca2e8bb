-- Epoch AI's dated rows of one monthly vintage (raw.epoch_datacenters__timelines holds it under
-- observation_date = $report_month), CC BY 4.0, credit Epoch AI.
-- is_projected: the row is dated after the vintage's download - the fetch date, capped at the
-- last day of the report month so that a file ingested late is still judged as of its month.
-- status maps Epoch's free-text construction status onto the ladder, first rule wins:
--   1. operational        Epoch counts an operational building or IT power on that date (its
--                         own numbers outrank the prose: sites come online in stages);
--   2. cancelled          the text says cancelled, abandoned or withdrawn;
--   3. under_construction the text describes work on site: land clearing, grading,
--                         groundwork, construction, roofs, installed equipment, a building or
--                         substation that looks built or complete but is not yet counted
--                         as operational (commissioning), a conversion;
--   4. announced          the text only reports an announcement, lease or plan;
--   otherwise NULL (unknown is never guessed). The raw text is kept.
-- facility_id: Epoch sites are always their own anchor in the facility resolution
-- (warehouse.facilities), so the site id is 'epoch_datacenters:' || data_center.
SELECT
    $report_month::DATE AS report_month,
    data_center,
    'epoch_datacenters:' || data_center AS facility_id,
    timeline_date,
    timeline_date > least(CAST(fetched_datetime AS DATE), last_day($report_month::DATE))
        AS is_projected,
    construction_status_raw,
    CASE
        WHEN buildings_operational > 0 OR it_mw > 0 THEN 'operational'
        WHEN regexp_matches(construction_status_raw, 'cancel|abandon|withdr', 'i')
            THEN 'cancelled'
        WHEN regexp_matches(construction_status_raw,
                            'clear(ing|ed)|grading|groundwork|construct|roof|foundation|install'
                            || '|excavat|built|complete|commission|conversion|begins|structure',
                            'i')
            THEN 'under_construction'
        WHEN regexp_matches(construction_status_raw, 'announc|lease|plan|propos', 'i')
            THEN 'announced'
    END AS status,
    buildings_operational, it_mw, facility_mw, h100e, capital_cost_busd, state,
    snapshot_sha256
FROM raw.epoch_datacenters__timelines
WHERE observation_date = $report_month AND timeline_date IS NOT NULL
