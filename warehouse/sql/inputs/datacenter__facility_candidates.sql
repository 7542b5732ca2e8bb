-- Every record the facility resolution (warehouse.facilities) matches into sites, for one
-- report month, with its anchor priority (the contract's order: Epoch 1, parcel 2, OSM 3,
-- IM3 4, permit 5). Filings take part only with a site-level point: a county centroid is never
-- a site, and a parcel zoned for data centers (kind zoning_parcel) is capacity, not a site. Epoch's current numbers: IT MW and H100e from the site row ('Current power (MW)' is
-- IT power), facility MW and status from its latest dated row that is not a projection.
WITH epoch_now AS (
    SELECT data_center,
           arg_max(facility_mw, timeline_date) AS facility_mw,
           arg_max(status, timeline_date) AS status
    FROM core.datacenter__epoch_timelines
    WHERE report_month = $report_month AND NOT is_projected
    GROUP BY data_center
),
epoch_sites AS (
    SELECT data_center, any_value(owner) AS owner, any_value(state) AS state,
           any_value(current_it_mw) AS it_mw, any_value(current_h100e) AS h100e,
           min(snapshot_sha256) AS snapshot_sha256
    FROM raw.epoch_datacenters__timelines
    WHERE observation_date = $report_month
    GROUP BY data_center
)
,
candidates AS (
SELECT 'epoch_datacenters' AS source, s.data_center AS record_id, 1 AS priority,
       s.data_center AS name, regexp_replace(s.owner, '\s*#\w+', '', 'g') AS operator,
       NULL AS county, s.state, NULL::DOUBLE AS latitude, NULL::DOUBLE AS longitude,
       NULL AS location_precision, n.status, s.it_mw, n.facility_mw, s.h100e,
       NULL::DOUBLE AS square_feet, s.snapshot_sha256
FROM epoch_sites s LEFT JOIN epoch_now n USING (data_center)
UNION ALL BY NAME
SELECT source, record_id, CASE kind WHEN 'parcel' THEN 2 ELSE 5 END AS priority,
       coalesce(title, applicant) AS name, applicant AS operator, county, state, latitude,
       longitude, location_precision, status, square_feet, snapshot_sha256
FROM core.permits__datacenter_filings
WHERE report_month = $report_month AND latitude IS NOT NULL AND longitude IS NOT NULL
  AND location_precision IS DISTINCT FROM 'county' AND kind <> 'zoning_parcel'
UNION ALL BY NAME
SELECT 'osm_datacenters' AS source, element_type || '/' || element_id AS record_id,
       3 AS priority, name, operator, state, latitude, longitude,
       CASE WHEN is_building THEN 'building' ELSE 'site' END AS location_precision,
       site_status AS status, footprint_m2 * 10.7639 AS square_feet, snapshot_sha256
FROM raw.osm_datacenters__elements
WHERE observation_date = $report_month
UNION ALL BY NAME
SELECT 'im3_atlas' AS source, record_id, 4 AS priority, name, operator, county, state,
       latitude, longitude,
       CASE WHEN geometry_type IN ('Polygon', 'MultiPolygon') THEN 'footprint'
            WHEN site_type = 'building' THEN 'building' ELSE 'site' END AS location_precision,
       'operational' AS status, square_feet, snapshot_sha256
FROM raw.im3_atlas__facilities
WHERE observation_date = $report_month
)
SELECT $report_month::DATE AS report_month, * FROM candidates
ORDER BY priority, source, record_id
