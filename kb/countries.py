"""Country names for the ISO 3166-1 alpha-2 codes kb stores: the short names people use, from pycountry."""

from __future__ import annotations

from functools import lru_cache

import pycountry

# Where pycountry has no common name and its name is not what people say.
SAID_AS = {
    "RU": "Russia",
    "BN": "Brunei",
    "CD": "DR Congo",
    "CG": "Republic of the Congo",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Vatican City",
}


@lru_cache(maxsize=512)
def country_name(code: str | None) -> str:
    """The name people use for the country ``code`` ("KP" → "North Korea"); an unknown code is given back as it is."""
    code = (code or "").strip().upper()
    if not code:
        return ""
    if code in SAID_AS:
        return SAID_AS[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or country.name
