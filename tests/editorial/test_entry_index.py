"""The index of the entry files behind the editor's lists and the review dashboard
(app/editorial/entry_index.py): what it holds, that it agrees with loading the folder, and that it stays
right when files change behind the editor's back, when the editor publishes, and when it is damaged."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from app.content import load_content
from app.content.yamlfile import parse_front_matter
from app.editorial import entry_index, reviews
from app.editorial.publishing import Author, write_and_publish

from ..factories import _front_matter_file, service, write_content
from .changes_helpers import publish_folder

ON = dt.date(2026, 11, 1)


def reviewed(months_ago: int, day: int = 1) -> str:
    year, month = divmod(ON.year * 12 + ON.month - 1 - months_ago, 12)
    return dt.date(year, month + 1, day).isoformat()


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    services = [service(f"service-{number:02d}", title=f"Group {number:02d}",
                        last_reviewed=reviewed(number % 14, 1 + number % 27)) for number in range(30)]
    services += [service("never-checked", title="Never checked"),
                 service("archived-one", title="Archived one", status="archived"),
                 service("six-monthly", title="Six monthly", review_months=6, last_reviewed=reviewed(7)),
                 service("other-org-service", title="Zebra crossing club", organisation="other-org")]
    del services[-4]["last_reviewed"]
    content = write_content(tmp_path / "content", services)
    _front_matter_file(content / "organisations" / "other-org.md",
                       {"id": "other-org", "name": "Other Organisation", "website": "https://example.com"},
                       "Another organisation.")
    return content, tmp_path / "search_index"


def listed(index, kind="service", **options) -> list[str]:
    found, _ = index.entries(kind, limit=1000, **options)
    return [entry.id for entry in found]


def old_times(path: Path) -> None:
    """Make a file look written long ago (its times settled), as files from a git checkout are."""
    os.utime(path, (1_700_000_000, 1_700_000_000))


def test_the_lists_come_from_the_index_in_title_order_filtered_and_paged(folders):
    content, index_dir = folders
    index = entry_index.open_index(content, index_dir)
    titles = [entry.title for entry in index.entries("service", limit=1000)[0]]
    assert titles == sorted(titles, key=str.casefold) and len(titles) == 34
    page, total = index.entries("service", offset=30, limit=10)
    assert total == 34 and [entry.id for entry in page] == listed(index)[30:]
    assert listed(index, query="ZEBRA") == ["other-org-service"]
    assert listed(index, query="service-0") == [f"service-{number:02d}" for number in range(10)]
    assert listed(index, organisation="other-org") == ["other-org-service"]
    assert listed(index, "organisation") == ["other-org", "test-org"]
    assert listed(index, "organisation", organisation="other-org") == ["other-org"]
    entry = index.get("service", "archived-one")
    assert (entry.status, entry.organisation, entry.title) == ("archived", "test-org", "Archived one")
    assert entry.fingerprint == load_content(content).entry_fingerprints["services/archived-one.md"]
    assert listed(index, "hub") == sorted(load_content(content).hubs)
    index.close()


def test_review_dates_from_the_index_are_those_of_loading_the_whole_folder(folders):
    content, index_dir = folders
    index = entry_index.open_index(content, index_dir)
    loaded = reviews.review_items(load_content(content, today=ON), ON)
    for organisation in (None, "test-org", "other-org"):
        expected = [item for item in loaded if organisation is None or item.organisation == organisation]
        counts = index.review_counts(ON, reviews.SOON_DAYS, organisation)
        for bucket in reviews.BUCKETS:
            in_bucket = [item for item in expected if item.bucket == bucket]
            assert counts[bucket] == len(in_bucket), bucket
            from_index = reviews.indexed_items(index, ON, bucket, organisation=organisation, limit=1000)
            def shown(items):
                return [(item.id, item.due, item.last_reviewed, item.organisation_name) for item in items]
            assert shown(from_index) == shown(in_bucket)
    assert sum(counts.values()) == 1  # other-org's one service
    assert reviews.indexed_items(index, ON, reviews.OVERDUE)[0].id == "never-checked"
    index.close()


def test_files_changed_behind_the_editors_back_are_seen_at_the_next_request(folders):
    content, index_dir = folders
    entry_index.open_index(content, index_dir).close()
    services = content / "services"
    # A git pull: a new file, a removed one, one replaced with new text.
    _front_matter_file(services / "brand-new.md", service("brand-new", title="Brand new group"))
    (services / "service-03.md").unlink()
    replaced = services / ".service-04.md.tmp"
    _front_matter_file(replaced, service("service-04", title="Renamed group"))
    replaced.replace(services / "service-04.md")
    index = entry_index.open_index(content, index_dir)
    assert index.get("service", "brand-new").title == "Brand new group"
    assert index.get("service", "service-03") is None
    assert index.get("service", "service-04").title == "Renamed group"
    assert index.refresh() == 0  # nothing more to read
    index.close()


def test_a_file_edited_in_place_is_seen_at_the_next_look_of_its_folder(folders, monkeypatch):
    content, index_dir = folders
    path = content / "services" / "service-05.md"
    old_times(path)
    entry_index.open_index(content, index_dir).close()
    folder_times = os.stat(path.parent)
    with open(path, "r+", encoding="utf-8") as handle:  # in place: the folder's times do not move
        text = handle.read().replace("title: Group 05", "title: Group five")
        handle.seek(0)
        handle.write(text)
        handle.truncate()
    os.utime(path.parent, ns=(folder_times.st_atime_ns, folder_times.st_mtime_ns))
    monkeypatch.setattr(entry_index, "SWEEP_SECONDS", 0.0)  # as when the last look is old enough
    index = entry_index.open_index(content, index_dir)
    assert index.get("service", "service-05").title == "Group five"
    index.close()


def test_a_new_review_interval_in_site_yml_moves_every_due_date(folders):
    content, index_dir = folders
    index = entry_index.open_index(content, index_dir)
    before = index.get("service", "service-02")
    index.close()
    site = content / "site.yml"
    site.write_text(site.read_text(encoding="utf-8").replace("review_months: 12", "review_months: 3")
                    if "review_months" in site.read_text(encoding="utf-8")
                    else site.read_text(encoding="utf-8") + "review_months: 3\n", encoding="utf-8")
    index = entry_index.open_index(content, index_dir)
    after = index.get("service", "service-02")
    assert after.last_reviewed == before.last_reviewed
    assert (before.due - before.last_reviewed).days > 300 and (after.due - after.last_reviewed).days < 95
    assert index.get("service", "six-monthly").due == dt.date.fromisoformat(reviewed(1))  # its own interval
    index.close()


def test_the_editors_publish_updates_the_index_without_another_look(folders):
    content, index_dir = folders
    (content / "services" / "never-checked.md").unlink()  # check requires a review date to publish
    publish_folder(content, index_dir)
    entry_index.open_index(content, index_dir).close()
    text = (content / "services" / "service-07.md").read_text(encoding="utf-8").replace(
        "title: Group 07", "title: Group seven")
    write_and_publish(content, index_dir, {"services/service-07.md": text},
                      author=Author("Ed", "ed@example.org"), message="test")
    index = entry_index.EntryIndex(content, index_dir)
    assert index.get("service", "service-07").title == "Group seven"
    assert index.refresh() == 0
    index.close()


def test_a_damaged_index_is_rebuilt_from_the_files(folders):
    content, index_dir = folders
    index_dir.mkdir(parents=True, exist_ok=True)
    (index_dir / entry_index.INDEX_FILE).write_bytes(b"not a database at all" * 100)
    index = entry_index.open_index(content, index_dir)
    assert len(listed(index)) == 34
    index.close()


def test_an_unreadable_file_is_left_out_as_loading_the_folder_leaves_it_out(folders):
    content, index_dir = folders
    (content / "services" / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    (content / "services" / "Not An Id.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    (content / "services" / "service-01.pl.md").write_text("---\ntitle: Grupa\n---\n", encoding="utf-8")
    index = entry_index.open_index(content, index_dir)
    assert set(listed(index)) == set(load_content(content).services)
    index.close()


@pytest.mark.parametrize("front", [
    'title: "Quoted: with a colon"\nstatus: published',
    "title: Plain words # and a comment\nlast_reviewed: 2026-09-01\nreview_months: 6",
    "title: 'Single ''quoted'''\ncontact:\n  title: not the entry's title\n  phone: 020 7946 0000",
    "title: >\n  Folded over\n  two lines\nstatus: draft",
    "title: A plain title\n  that goes on\nstatus: draft",
    "title: Twice\ntitle: Again",
    "title: &anchor Anchored\nkeywords: [*anchor]",
    "title: [a, flow, list]",
    "title: x\n\n  continued after a blank line",
])
def test_the_quick_read_of_a_few_lines_agrees_with_the_whole_parse_or_steps_aside(front):
    text = f"---\n{front}\n---\nBody.\n"
    wanted = ("title", *entry_index.SERVICE_KEYS)
    quick = entry_index._top_level_values(text, wanted)
    if quick is None:
        return  # the whole file is parsed instead, as the loader parses it
    whole = parse_front_matter(text).data
    assert quick == {key: whole[key] for key in wanted if key in whole}
