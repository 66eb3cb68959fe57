"""What reading a release costs with and without a ``changes.db`` beside its database.

    python -m bench.generate /tmp/c10k --n 10000
    earlyhelp publish --content /tmp/c10k --index /tmp/idx            # a full build
    python -c "from bench.generate import edit_one_service; edit_one_service('/tmp/c10k')"
    earlyhelp publish --content /tmp/c10k --index /tmp/idx            # an incremental one
    python -m bench.release_overlay --index /tmp/idx --reps 10

Times the reader's queries that scan or join many services (hub page, menu,
feed lists) and the by-id ones (cards, details) on the newest release built in
full (no ``changes.db``) and the newest built incrementally (with one), in
the same process, alternating; prints the median milliseconds of each and the
ratio. Both releases hold the same services but one, so the work is the same.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

from app.publishing.releases import ReleaseStore
from app.release.reader import ReleaseReader, ServiceSelection
from app.release.schema import CHANGES_FILE


def _queries(reader: ReleaseReader) -> dict[str, Callable[[], object]]:
    directory = reader.directory
    hub = next(iter(directory.hubs))
    need = next(iter(directory.needs))
    age_band = next(iter(directory.age_bands))
    ids = reader.service_ids(ServiceSelection(list_value=("needs", need)))[:20]
    return {
        "hub page (services by need)": lambda: reader.hub_services_by_need(hub, directory.needs),
        "menu grid": lambda: reader.menu_grid(directory.needs, directory.levels),
        "menu grid, hub + age": lambda: reader.menu_grid(directory.needs, directory.levels, hub, age_band),
        "menu services (CSV)": lambda: reader.menu_services(hub),
        "menu table candidates": lambda: reader.menu_table_candidates(None, None),
        "feed list by need": lambda: reader.service_ids(ServiceSelection(list_value=("needs", need))),
        "feed list by hub": lambda: reader.service_ids(ServiceSelection(hub=hub)),
        "borough-wide count": reader.borough_wide_count,
        "20 cards": lambda: reader.service_cards(ids),
        "20 cards in Polish": lambda: reader.service_cards(ids, "pl"),
        "service details": lambda: reader.service_details(ids[0]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", required=True, help="index folder holding both kinds of release")
    parser.add_argument("--reps", type=int, default=10)
    args = parser.parse_args()
    releases = ReleaseStore(args.index).list()
    full = next(r for r in reversed(releases) if not (r.path / CHANGES_FILE).exists())
    overlaid = next(r for r in reversed(releases) if (r.path / CHANGES_FILE).exists())
    readers = {"full": ReleaseReader(full), "overlay": ReleaseReader(overlaid)}
    queries = {name: _queries(reader) for name, reader in readers.items()}
    times: dict[tuple[str, str], list[float]] = {}
    for rep in range(args.reps + 1):  # the first pass warms the page cache and is not counted
        order = list(readers) if rep % 2 else list(reversed(readers))
        for query in queries["full"]:
            for name in order:
                started = time.perf_counter()
                queries[name][query]()
                if rep:
                    times.setdefault((query, name), []).append((time.perf_counter() - started) * 1000)
    print(f"releases: full {full.id}, overlay {overlaid.id}; load average {os.getloadavg()[0]:.1f}")
    print("| query | without changes.db ms | with changes.db ms | ratio |")
    print("|---|---:|---:|---:|")
    for query in queries["full"]:
        plain, overlay = (statistics.median(times[query, name]) for name in ("full", "overlay"))
        print(f"| {query} | {plain:.1f} | {overlay:.1f} | {overlay / plain:.2f}x |")


if __name__ == "__main__":
    main()
