"""Coverage: how many published services each hub offers for each need and age band.

A service counts in a cell when it serves the hub (it names the hub, has a venue there, or is
borough-wide: the same rule as the search's hub filter), meets the need and overlaps the age band.
Switches narrow the services counted: a level of need, free services only, a language the service
is delivered in. A cell is *empty* at 0 and *thin* at 1 to ``thin`` services.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..release.directory import Directory

DEFAULT_THIN = 1
MAX_THIN = 20
EMPTY, THIN, COVERED = "empty", "thin", "covered"


@dataclass(frozen=True)
class Switches:
    """Which services count: all by default."""

    level: int | None = None
    free_only: bool = False
    language: str | None = None
    thin: int = DEFAULT_THIN

    def admits(self, service: dict) -> bool:
        if self.level is not None and self.level not in service["levels"]:
            return False
        if self.free_only and not service["free"]:
            return False
        return self.language is None or self.language in service["languages"]

    def search_params(self) -> dict[str, str]:
        """The search filters that ask for the same services (for the links from each cell)."""
        params = {}
        if self.level is not None:
            params["level"] = str(self.level)
        if self.free_only:
            params["free"] = "1"
        if self.language:
            params["language"] = self.language
        return params


@dataclass(frozen=True)
class Cell:
    hub: str
    need: str
    age_band: str
    count: int
    status: str


@dataclass
class HubGrid:
    """One hub: a row per need, a cell per age band (taxonomy order)."""

    hub: str
    rows: list[tuple[str, list[Cell]]]
    services: int  # services counted in this hub (each once)

    def count(self, status: str) -> int:
        return sum(cell.status == status for _need, cells in self.rows for cell in cells)


@dataclass
class Coverage:
    switches: Switches
    needs: list[str]
    age_bands: list[str]
    grids: list[HubGrid] = field(default_factory=list)

    def cells(self) -> Iterable[Cell]:
        for grid in self.grids:
            for _need, cells in grid.rows:
                yield from cells

    def borough_gaps(self) -> list[tuple[str, str]]:
        """(need, age band) pairs that no hub offers at all."""
        offered = {(cell.need, cell.age_band) for cell in self.cells() if cell.count}
        return [(need, band) for need in self.needs for band in self.age_bands if (need, band) not in offered]


def status_of(count: int, thin: int) -> str:
    return EMPTY if count == 0 else THIN if count <= thin else COVERED


def coverage(services: Iterable[dict], directory: Directory, switches: Switches) -> Coverage:
    """The grids of every hub (hubs by name, needs and age bands in taxonomy order)."""
    hubs, needs, bands = list(directory.hubs), list(directory.needs), list(directory.age_bands)
    counts: dict[tuple[str, str, str], int] = {}
    per_hub: dict[str, int] = dict.fromkeys(hubs, 0)
    for service in services:
        if not switches.admits(service):
            continue
        served = hubs if service["borough_wide"] else [hub for hub in service["hubs"] if hub in per_hub]
        for hub in served:
            per_hub[hub] += 1
            for need in service["needs"]:
                for band in service["age_bands"]:
                    counts[(hub, need, band)] = counts.get((hub, need, band), 0) + 1
    result = Coverage(switches, needs, bands)
    for hub in hubs:
        rows = []
        for need in needs:
            cells = []
            for band in bands:
                count = counts.get((hub, need, band), 0)
                cells.append(Cell(hub, need, band, count, status_of(count, switches.thin)))
            rows.append((need, cells))
        result.grids.append(HubGrid(hub, rows, per_hub[hub]))
    return result
