-- GPUs the IT and facility MW of each state could host per quarter: a compute equivalent,
-- never installed GPUs. Epoch AI's power formula (power = TDP x GPUs x overhead x PUE,
-- research/buildout.md §4.2) inverted per GPU model of
-- core.buildout__codes_gpu_power_assumptions, with the TDP of core.gpu__entity_models:
--   gpus_from_it_mw       = it_mw x 1e6 / (tdp_w x overhead_factor)
--   gpus_from_facility_mw = facility_mw x 1e6 / (tdp_w x overhead_factor x pue)
-- rounded down. The low figures use the high overhead (and high PUE), the high figures the
-- low ones. it_mw and facility_mw add up the it_mw and facility_mw rows of
-- out.buildout__quarterly_mw_by_region_status over every status but cancelled and over
-- sources: there each site is counted once, under one status and one source. Queued load and
-- planned generation MW are not datacenter power and are not used.
WITH capacity AS (
    SELECT quarter, quarter_label, state, bool_or(is_projected) AS is_projected,
           sum(mw) FILTER (WHERE measure = 'it_mw') AS it_mw,
           sum(mw) FILTER (WHERE measure = 'facility_mw') AS facility_mw,
           sum(n_sites) FILTER (WHERE measure = 'it_mw') AS n_sites,
           sum(n_sites_without_mw) FILTER (WHERE measure = 'it_mw') AS n_sites_without_it_mw,
           sum(n_sites_without_mw) FILTER (WHERE measure = 'facility_mw')
               AS n_sites_without_facility_mw
    FROM out.buildout__quarterly_mw_by_region_status
    WHERE report_month = $report_month AND measure IN ('it_mw', 'facility_mw')
      AND status <> 'cancelled'
    GROUP BY quarter, quarter_label, state
),
assumptions AS (
    SELECT a.*, g.tdp_w
    FROM core.buildout__codes_gpu_power_assumptions a
    JOIN core.gpu__entity_models g ON g.gpu_model = a.gpu_model
)
SELECT $report_month::DATE AS report_month, c.quarter, c.quarter_label, c.is_projected,
       c.state, a.gpu_model, 'compute_equivalent' AS estimate_kind, c.it_mw, c.facility_mw,
       c.n_sites, c.n_sites_without_it_mw, c.n_sites_without_facility_mw, a.tdp_w,
       a.overhead_factor, a.overhead_factor_low, a.overhead_factor_high, a.pue, a.pue_low,
       a.pue_high,
       floor(c.it_mw * 1e6 / (a.tdp_w * a.overhead_factor))::BIGINT AS gpus_from_it_mw,
       floor(c.it_mw * 1e6 / (a.tdp_w * a.overhead_factor_high))::BIGINT
           AS gpus_from_it_mw_low,
       floor(c.it_mw * 1e6 / (a.tdp_w * a.overhead_factor_low))::BIGINT
           AS gpus_from_it_mw_high,
       floor(c.facility_mw * 1e6 / (a.tdp_w * a.overhead_factor * a.pue))::BIGINT
           AS gpus_from_facility_mw,
       floor(c.facility_mw * 1e6 / (a.tdp_w * a.overhead_factor_high * a.pue_high))::BIGINT
           AS gpus_from_facility_mw_low,
       floor(c.facility_mw * 1e6 / (a.tdp_w * a.overhead_factor_low * a.pue_low))::BIGINT
           AS gpus_from_facility_mw_high
FROM capacity c
CROSS JOIN assumptions a
