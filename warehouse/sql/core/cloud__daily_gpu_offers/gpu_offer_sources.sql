-- The sources whose raw tables hold GpuOffer rows (models/records/gpu_clouds.py). They share
-- one shape, so one query conforms them all: a new such source adds one line to `offers`.
-- Prices arrive normalised (USD per instance-hour and per GPU-hour, upfront fees amortised);
-- price_basis says what the provider listed. Per source:
--   aws_ec2: AWS EC2 price list: whole-instance prices; reserved terms amortise their upfront fee,
--     and the term options are part of the sku.
--   aws_spot: AWS spot feed: regional whole-instance spot prices (accelerator facts from the
--     instance type table in sources/prices/aws_instances.py).
--   gcp_billing: GCP Billing Catalog: one attachable GPU or TPU chip per row (price_basis 'gpu');
--     the host VM's vCPU and RAM SKUs are not included.
--   lambda: Lambda: whole-instance prices listed in cents, converted to USD at parse time.
--   coreweave: CoreWeave: whole-node prices from the pricing page.
--   oci: OCI: per-GPU-hour prices, the same in every region.
--   vast: Vast.ai: every marketplace offer (listed price) and its spot bid floor; the distribution
--     is kept, one row per offer.
--   linode: Linode: whole-instance GPU plan prices, base ('global') and regional surcharges.
--   vultr: Vultr: whole-plan prices; fractional GPU plans have gpu_count below 1.
--   akash: Akash: per-GPU bid statistics (min, median, weighted average, max) per model.
--   shadeform: Shadeform: upstream clouds' instance prices as resold, one row per region offered.
--   tensordock: TensorDock: per-GPU component prices per host node (vCPU and RAM billed on top).
--   modal: Modal: per-GPU serverless prices (listed per second).
--   cudo: Cudo Compute: per-GPU component prices per data center (host resources billed on top).
WITH offers AS (
    SELECT 'aws' AS provider, 'aws_ec2' AS source, * FROM raw.aws_ec2__gpu_offers
    UNION ALL BY NAME
    SELECT 'aws' AS provider, 'aws_spot' AS source, * FROM raw.aws_spot__gpu_offers
    UNION ALL BY NAME
    SELECT 'gcp' AS provider, 'gcp_billing' AS source, * FROM raw.gcp_billing__gpu_offers
    UNION ALL BY NAME
    SELECT 'lambda' AS provider, 'lambda' AS source, * FROM raw.lambda__gpu_offers
    UNION ALL BY NAME
    SELECT 'coreweave' AS provider, 'coreweave' AS source, * FROM raw.coreweave__gpu_offers
    UNION ALL BY NAME
    SELECT 'oci' AS provider, 'oci' AS source, * FROM raw.oci__gpu_offers
    UNION ALL BY NAME
    SELECT 'vast' AS provider, 'vast' AS source, * FROM raw.vast__gpu_offers
    UNION ALL BY NAME
    SELECT 'linode' AS provider, 'linode' AS source, * FROM raw.linode__gpu_offers
    UNION ALL BY NAME
    SELECT 'vultr' AS provider, 'vultr' AS source, * FROM raw.vultr__gpu_offers
    UNION ALL BY NAME
    SELECT 'akash' AS provider, 'akash' AS source, * FROM raw.akash__gpu_offers
    UNION ALL BY NAME
    SELECT 'shadeform' AS provider, 'shadeform' AS source, * FROM raw.shadeform__gpu_offers
    UNION ALL BY NAME
    SELECT 'tensordock' AS provider, 'tensordock' AS source, * FROM raw.tensordock__gpu_offers
    UNION ALL BY NAME
    SELECT 'modal' AS provider, 'modal' AS source, * FROM raw.modal__gpu_offers
    UNION ALL BY NAME
    SELECT 'cudo' AS provider, 'cudo' AS source, * FROM raw.cudo__gpu_offers
),
aliases AS (
    SELECT alias_key, any_value(gpu_model) AS gpu_model
    FROM core.gpu__codes_aliases
    GROUP BY alias_key
)
SELECT
    o.observation_date,
    o.provider,
    o.sku,
    o.region,
    o.provider_gpu_name,
    m.gpu_model,
    o.gpu_count,
    o.price_type,
    o.commitment_months,
    o.usd_per_hour,
    o.usd_per_gpu_hour,
    coalesce(o.gpu_memory_gb, g.memory_gb) AS gpu_memory_gb,
    o.vcpus,
    o.memory_gb,
    o.price_basis,
    false AS is_backfill,
    'live' AS origin,
    o.source,
    o.source_url,
    o.snapshot_sha256
FROM offers AS o
LEFT JOIN aliases AS m
    ON m.alias_key = regexp_replace(lower(o.provider_gpu_name), '[^a-z0-9]', '', 'g')
LEFT JOIN core.gpu__entity_models AS g ON g.gpu_model = m.gpu_model
WHERE o.observation_date = $observation_date
