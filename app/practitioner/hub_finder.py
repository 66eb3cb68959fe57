"""Which Early Help Hub covers a family's postcode: the answer and how sure it is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..postcodes import PostcodeError, areas_within, covering_area, postcode_parts

__all__ = ["HubLookup", "PostcodeError", "find_hub"]


@dataclass(frozen=True)
class HubLookup:
    """The outcome of looking a postcode up.

    ``hub_id`` and ``area`` name the most specific area that covers it. A
    district typed alone ("N15") may be split between hubs by sector:
    ``split`` then lists (hub id, [sectors]) for each hub holding part of it,
    so the page can ask for the full postcode instead of guessing.
    """

    postcode: str
    hub_id: str | None = None
    area: str | None = None
    split: list[tuple[str, list[str]]] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.hub_id is not None


def find_hub(text: str, hub_areas: Iterable[tuple[str, str]]) -> HubLookup:
    """Look up ``text`` (a full or partial postcode) among the hubs' (hub id, area) pairs.

    Raises :class:`PostcodeError` when ``text`` is not a postcode.
    """
    hub_areas = list(hub_areas)
    parts = postcode_parts(text)
    found = covering_area(parts.text, hub_areas)
    inside = areas_within(parts.district, hub_areas) if parts.sector is None else []
    if found and not any(hub_id != found[0] for hub_id, _ in inside):
        return HubLookup(parts.text, found[0], found[1])
    split: dict[str, list[str]] = {}
    for hub_id, area in inside:
        split.setdefault(hub_id, []).append(area)
    if found and found[0] not in split:
        split = {found[0]: [found[1]], **split}
    return HubLookup(parts.text, split=list(split.items()))
