"""UK postcodes, and which hub covers one: no external postcode service."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

_DISTRICT = r"[A-Z]{1,2}[0-9][0-9A-Z]?"
_FULL = re.compile(rf"({_DISTRICT})([0-9][A-Z]{{2}})")
_SECTOR = re.compile(rf"({_DISTRICT}) ([0-9])")
_DISTRICT_ONLY = re.compile(_DISTRICT)
# Longer than any postcode however it is spaced: refused before any pattern looks at it.
MAX_POSTCODE_LENGTH = 16


class PostcodeError(ValueError):
    """Text that is not a full or partial UK postcode."""


class PostcodeParts(NamedTuple):
    """A full or partial postcode, from the widest part to the narrowest present."""

    district: str  # "N17"
    sector: str | None  # "N17 6"
    unit: str | None  # "N17 6AA", only for a full postcode

    @property
    def text(self) -> str:
        """The postcode written the usual way: "N17 6AA", "N17 6" or "N17"."""
        return self.unit or self.sector or self.district


def postcode_parts(text: str) -> PostcodeParts:
    """District, sector and unit of a full or partial postcode (any case, with or without the space)."""
    spaced = " ".join(text.upper().split())
    if len(spaced) > MAX_POSTCODE_LENGTH:
        raise PostcodeError(text[:MAX_POSTCODE_LENGTH])
    compact = spaced.replace(" ", "")
    if match := _FULL.fullmatch(compact):
        return PostcodeParts(match[1], f"{match[1]} {match[2][0]}", f"{match[1]} {match[2]}")
    if match := _SECTOR.fullmatch(spaced):
        return PostcodeParts(match[1], f"{match[1]} {match[2]}", None)
    if _DISTRICT_ONLY.fullmatch(compact):
        return PostcodeParts(compact, None, None)
    raise PostcodeError(text)


def parse_postcode(text: str) -> tuple[str, str | None]:
    """(district, sector) of a full or partial postcode, in any case, with or without the space.

    "n17 6aa" -> ("N17", "N17 6"); "N15 3" -> ("N15", "N15 3"); "N17" -> ("N17", None).
    """
    parts = postcode_parts(text)
    return parts.district, parts.sector


def normalise_area(area: str) -> str:
    """A hub's area as the lookups compare it: upper case, single spaces."""
    return " ".join(area.upper().split())


def covering_area(postcode: str, hub_areas: Iterable[tuple[str, str]]) -> tuple[str, str] | None:
    """(hub id, area) of the most specific area covering ``postcode``, or None.

    A full postcode listed by a hub beats a sector ("N15 3"), which beats a
    district ("N15"); between two hubs listing the same area the first wins
    (``earlyhelp check`` warns about those). Raises :class:`PostcodeError` for
    text that is not a postcode.
    """
    return AreaIndex(hub_areas).covering(postcode)


class AreaIndex:
    """Hub areas indexed once, for looking up many postcodes (``covering_area``'s rules)."""

    def __init__(self, hub_areas: Iterable[tuple[str, str]]):
        self._areas: dict[str, tuple[str, str]] = {}
        for hub_id, area in hub_areas:
            area = normalise_area(area)
            self._areas.setdefault(area, (hub_id, area))

    def covering(self, postcode: str) -> tuple[str, str] | None:
        parts = postcode_parts(postcode)
        for part in (parts.unit, parts.sector, parts.district):
            if part and part in self._areas:
                return self._areas[part]
        return None


def hub_for_postcode(postcode: str, hub_areas: Iterable[tuple[str, str]]) -> str | None:
    """The hub whose areas cover ``postcode``; a sector ("N15 3") beats a district ("N15").

    ``hub_areas`` are (hub id, area) pairs. Raises :class:`PostcodeError` for
    text that is not a postcode; returns None when no hub covers it.
    """
    found = covering_area(postcode, hub_areas)
    return found[0] if found else None


def areas_within(district: str, hub_areas: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(hub id, area) for the areas inside a district ("N15 3" in "N15"), in the order given."""
    prefix = normalise_area(district) + " "
    return [(hub_id, normalise_area(area)) for hub_id, area in hub_areas
            if normalise_area(area).startswith(prefix)]
