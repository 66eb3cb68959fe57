"""`earlyhelp check` warns about hub areas a postcode lookup cannot settle, and venues in the wrong hub."""

from __future__ import annotations

import datetime as dt

from app.content import load_content

from ..factories import service, write_content

TODAY = dt.date(2026, 11, 22)
VENUE = {"name": "Brook Children's Centre", "address": "3 Brook Street", "postcode": "N17 6BB", "hub": "west"}


def warnings_of(root) -> list[str]:
    content = load_content(root, today=TODAY)
    assert not content.errors, content.errors
    return [str(problem) for problem in content.warnings]


def test_two_hubs_claiming_the_same_sector_is_a_warning(tmp_path):
    root = write_content(tmp_path / "content")
    east = root / "hubs" / "east.md"
    east.write_text(east.read_text().replace("- N22", "- N22\n- n15  3"), encoding="utf-8")
    warnings = warnings_of(root)
    assert len(warnings) == 1, warnings
    # Reported on the hub read second (files in name order: east, then west), naming the first.
    west = root / "hubs" / "west.md"
    line = west.read_text().splitlines().index("- N15 3") + 1
    assert (f"west.md:{line}: covers[1]: warning: 'N15 3' is also covered by hub 'east': a postcode "
            "there could belong to either hub") in warnings[0]


def test_the_same_district_in_two_hubs_is_a_warning_too(tmp_path):
    root = write_content(tmp_path / "content")
    east = root / "hubs" / "east.md"
    east.write_text(east.read_text().replace("- N22", "- N17"), encoding="utf-8")
    assert ["'N17' is also covered by hub 'east'" in warning for warning in warnings_of(root)] == [True]


def test_a_venue_in_its_own_hub_is_fine(tmp_path):
    root = write_content(tmp_path / "content", [service("group", venues=[VENUE])])
    assert warnings_of(root) == []


def test_a_venue_whose_postcode_is_in_another_hub_is_a_warning(tmp_path):
    root = write_content(tmp_path / "content", [
        service("group", venues=[VENUE, {**VENUE, "name": "Wood Green Library", "postcode": "N22 6XD"}])])
    warnings = warnings_of(root)
    assert len(warnings) == 1, warnings
    lines = (root / "services" / "group.md").read_text().splitlines()
    line = next(number for number, text in enumerate(lines, 1) if "N22 6XD" in text)
    assert (f"group.md:{line}: venues[1].postcode: warning: 'N22 6XD' is in hub 'east' (N22), "
            "not in hub 'west' that the venue names") in warnings[0]


def test_a_sector_carved_out_of_a_district_decides_the_venues_hub(tmp_path):
    # West covers N15 3; a venue in N15 3 naming east is wrong even if east covers all of N15.
    root = write_content(tmp_path / "content", [
        service("group", venues=[{**VENUE, "postcode": "N15 3JT", "hub": "east"}])])
    east = root / "hubs" / "east.md"
    east.write_text(east.read_text().replace("- N22", "- N15"), encoding="utf-8")
    warnings = warnings_of(root)
    assert len(warnings) == 1 and "'N15 3JT' is in hub 'west' (N15 3), not in hub 'east'" in warnings[0]


def test_a_venue_outside_every_hub_is_a_warning(tmp_path):
    root = write_content(tmp_path / "content", [service("group", venues=[{**VENUE, "postcode": "SW1A 1AA"}])])
    warnings = warnings_of(root)
    assert len(warnings) == 1
    assert ("venues[0].postcode: warning: 'SW1A 1AA' is outside every hub's area, but the venue names "
            "hub 'west'") in warnings[0]


def test_the_warnings_do_not_stop_a_publish(tmp_path):
    from app.publishing.publish import publish

    root = write_content(tmp_path / "content", [service("group", venues=[{**VENUE, "postcode": "SW1A 1AA"}])])
    assert publish(root, tmp_path / "index", processes=1)
