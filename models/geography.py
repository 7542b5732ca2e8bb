"""US state names and codes, and reading a state out of a postal address: reference facts the
inventory parsers share (IM3's CSV writes full state names, Epoch writes addresses)."""

from __future__ import annotations

import re

US_STATES: dict[str, str] = {
    "Alabama": "AL", "Alaska": "AK", "Arizona": "AZ", "Arkansas": "AR", "California": "CA",
    "Colorado": "CO", "Connecticut": "CT", "Delaware": "DE", "District of Columbia": "DC",
    "Florida": "FL", "Georgia": "GA", "Hawaii": "HI", "Idaho": "ID", "Illinois": "IL",
    "Indiana": "IN", "Iowa": "IA", "Kansas": "KS", "Kentucky": "KY", "Louisiana": "LA",
    "Maine": "ME", "Maryland": "MD", "Massachusetts": "MA", "Michigan": "MI",
    "Minnesota": "MN", "Mississippi": "MS", "Missouri": "MO", "Montana": "MT",
    "Nebraska": "NE", "Nevada": "NV", "New Hampshire": "NH", "New Jersey": "NJ",
    "New Mexico": "NM", "New York": "NY", "North Carolina": "NC", "North Dakota": "ND",
    "Ohio": "OH", "Oklahoma": "OK", "Oregon": "OR", "Pennsylvania": "PA", "Puerto Rico": "PR",
    "Rhode Island": "RI", "South Carolina": "SC", "South Dakota": "SD", "Tennessee": "TN",
    "Texas": "TX", "Utah": "UT", "Vermont": "VT", "Virginia": "VA", "Washington": "WA",
    "West Virginia": "WV", "Wisconsin": "WI", "Wyoming": "WY",
}
STATE_CODES = frozenset(US_STATES.values())
_BY_LOWER_NAME = {name.lower(): code for name, code in US_STATES.items()}
# ", TX", ", TX 75154", ", GA, 30721" or "Kuna ID 83634": a code after a comma or before a ZIP.
_CODE_IN_ADDRESS = re.compile(r"(?:,\s*([A-Z]{2})(?=\s*(?:,|$|\d{5}))|\b([A-Z]{2})\s+\d{5}\b)")
# Longest names first, so "West Virginia" is not read as "Virginia".
_NAME_IN_ADDRESS = re.compile(
    r"\b(" + "|".join(sorted(map(re.escape, US_STATES), key=len, reverse=True)) + r")\b",
    re.IGNORECASE)


def state_code(value: str | None) -> str | None:
    """A two-letter code from a code or a full state name; None when it is neither."""
    if value is None:
        return None
    cleaned = value.strip()
    if cleaned.upper() in STATE_CODES:
        return cleaned.upper()
    return _BY_LOWER_NAME.get(cleaned.lower())


def state_from_address(address: str | None) -> str | None:
    """The state a US postal address names, when it names exactly one: a code after a comma or
    before the ZIP wins; else a full state name; two different candidates are ambiguous
    (None)."""
    if not address:
        return None
    codes = {a or b for a, b in _CODE_IN_ADDRESS.findall(address)} & STATE_CODES
    if not codes:
        codes = {_BY_LOWER_NAME[m.lower()] for m in _NAME_IN_ADDRESS.findall(address)}
    return codes.pop() if len(codes) == 1 else None
