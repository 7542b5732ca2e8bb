-- Prince William County, VA data-center buildings (Build-Out Analysis layer 9, ArcGIS)
SELECT 'pwc_datacenter_buildings' AS source, * FROM raw.pwc_datacenter_buildings__permits WHERE observation_date = $report_month
