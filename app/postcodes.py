"""UK postcodes, and which hub covers one: no external postcode service."""

from __future__ import annotations

import re
from collections.abc import Iterable

_DISTRICT = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
_FULL = re.compile(rf"({_DISTRICT})([0-9][A-Z]{{2}})")
_SECTOR = re.compile(rf"({_DISTRICT}) ([0-9])")
_DISTRICT_ONLY = re.compile(_DISTRICT)


class PostcodeError(ValueError):
    """Text that is not a full or partial UK postcode."""


def parse_postcode(text: str) -> tuple[str, str | None]:
    """(district, sector) of a full or partial postcode, in any case, with or without the space.

    "n17 6aa" -> ("N17", "N17 6"); "N15 3" -> ("N15", "N15 3"); "N17" -> ("N17", None).
    """
    spaced = " ".join(text.upper().split())
    compact = spaced.replace(" ", "")
    if match := _FULL.fullmatch(compact):
        return match[1], f"{match[1]} {match[2][0]}"
    if match := _SECTOR.fullmatch(spaced):
        return match[1], f"{match[1]} {match[2]}"
    if _DISTRICT_ONLY.fullmatch(compact):
        return compact, None
    raise PostcodeError(text)


def hub_for_postcode(postcode: str, hub_areas: Iterable[tuple[str, str]]) -> str | None:
    """The hub whose areas cover ``postcode``; a sector ("N15 3") beats a district ("N15").

    ``hub_areas`` are (hub id, area) pairs. Raises :class:`PostcodeError` for
    text that is not a postcode; returns None when no hub covers it.
    """
    district, sector = parse_postcode(postcode)
    by_district = None
    for hub_id, area in hub_areas:
        area = " ".join(area.upper().split())
        if sector and area == sector:
            return hub_id
        if area == district and by_district is None:
            by_district = hub_id
    return by_district
