"""What the AWS price feeds do not say about accelerator instances: which accelerator an
instance family carries and how many a size has. Shared by ``aws_ec2`` (price list) and
``aws_spot`` (spot feed, which lists no accelerator facts at all).

Facts from the AWS instance type pages (https://aws.amazon.com/ec2/instance-types/, sections
"Accelerated Computing") as of 2026; p5en and p5e carry H200 although the API says "NVIDIA";
g6f/gr6f sell fractions of an L4.
"""

from __future__ import annotations

# instance family -> accelerator as AWS names it.
ACCELERATORS: dict[str, str] = {
    "p3": "V100 SXM2 16GB", "p3dn": "V100 SXM2 32GB",
    "p4d": "A100 SXM4 40GB", "p4de": "A100 SXM4 80GB",
    "p5": "H100 SXM", "p5e": "H200 SXM", "p5en": "H200 SXM",
    "p6-b200": "B200", "p6e-gb200": "GB200", "p6-b300": "B300",
    "g4dn": "T4", "g5g": "T4G", "g5": "A10G", "g6": "L4", "gr6": "L4", "g6f": "L4",
    "gr6f": "L4", "g6e": "L40S", "g4ad": "Radeon Pro V520",
    "trn1": "Trainium", "trn1n": "Trainium", "trn2": "Trainium2", "trn2u": "Trainium2",
    "inf1": "Inferentia", "inf2": "Inferentia2",
    "dl1": "Gaudi HL-205", "dl2q": "Qualcomm AI 100",
}
# family -> {size: accelerators}; a size not listed has one.
_COUNTS: dict[str, dict[str, float]] = {
    "p3": {"8xlarge": 4, "16xlarge": 8}, "p3dn": {"24xlarge": 8},
    "p4d": {"24xlarge": 8}, "p4de": {"24xlarge": 8},
    "p5": {"48xlarge": 8}, "p5e": {"48xlarge": 8}, "p5en": {"48xlarge": 8},
    "p6-b200": {"48xlarge": 8}, "p6-b300": {"48xlarge": 8}, "p6e-gb200": {"36xlarge": 4},
    "g4dn": {"12xlarge": 4, "metal": 8}, "g4ad": {"8xlarge": 2, "16xlarge": 4},
    "g5g": {"16xlarge": 2, "metal": 2},
    "g5": {"12xlarge": 4, "24xlarge": 4, "48xlarge": 8},
    "g6": {"12xlarge": 4, "24xlarge": 4, "48xlarge": 8}, "gr6": {"8xlarge": 1},
    "g6e": {"12xlarge": 4, "24xlarge": 4, "48xlarge": 8},
    "g6f": {"large": 0.125, "xlarge": 0.125, "2xlarge": 0.25, "4xlarge": 0.5},
    "gr6f": {"4xlarge": 0.5},
    "trn1": {"32xlarge": 16}, "trn1n": {"32xlarge": 16}, "trn2": {"48xlarge": 16},
    "trn2u": {"48xlarge": 16},
    "inf1": {"6xlarge": 4, "24xlarge": 16}, "inf2": {"24xlarge": 6, "48xlarge": 12},
    "dl1": {"24xlarge": 8}, "dl2q": {"24xlarge": 8},
}


def family(instance_type: str) -> str:
    return instance_type.split(".", 1)[0]


def accelerator(instance_type: str) -> str | None:
    """The accelerator of an instance type, or None for instances without one."""
    return ACCELERATORS.get(family(instance_type))


def accelerator_count(instance_type: str) -> float | None:
    """Accelerators in an instance type (below 1 for a slice); None without an accelerator."""
    name, _, size = instance_type.partition(".")
    if name not in ACCELERATORS:
        return None
    return float(_COUNTS.get(name, {}).get(size, 1))
