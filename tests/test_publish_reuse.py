"""What a publish reuses from the last run: parsed entry files (app/content/entry_cache.py) and the
live release's Whoosh segment files. A cached load must report exactly what a fresh load does."""

from __future__ import annotations

import datetime as dt
import gc
import marshal
import os
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from app.content import ContentError, load_content
from app.content import entry_cache as cache_module
from app.content import loader as loader_module
from app.content.entry_cache import CACHE_FOLDER, EntryCache, LazyEntries
from app.publishing import publish as publish_module
from app.publishing.publish import publish, release_entries
from app.publishing.releases import ReleaseStore
from app.publishing.transfer import pull, push
from app.release.live import LiveRelease
from app.release.reader import open_database
from app.release.schema import CHANGES_FILE, DATABASE_FILE, ENTRIES_FILE, SERVICE_LINKS, TABLES, WHOOSH_FOLDER
from app.search.request import parse_request

from .factories import service, write_content, write_service

TODAY = dt.date(2026, 10, 1)


@pytest.fixture
def settled(monkeypatch):
    """Files count as settled at once (the real rule waits two seconds after their last change)."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)


@pytest.fixture
def content(tmp_path) -> Path:
    return write_content(tmp_path / "content", [
        service("parenting-group"),
        service("bad-summary", summary="x" * 300),                      # a problem in the file alone
        service("lost-org", organisation="no-such-org"),                # a problem across entries
        service("future-review", last_reviewed="2026-12-01"),           # depends on the day
    ])


def loads(content: Path, cache: Path, today: dt.date = TODAY):
    """A fresh load and a load through the cache, and how the cache did."""
    counts = {}
    original = EntryCache.save

    def counting_save(self, folders):
        counts.update(hits=self.hits, misses=self.misses)
        original(self, folders)

    EntryCache.save = counting_save
    try:
        cached = load_content(content, today=today, cache_dir=cache)
    finally:
        EntryCache.save = original
    return load_content(content, today=today), cached, counts


def same(fresh, cached) -> None:
    assert [str(problem) for problem in cached.problems] == [str(problem) for problem in fresh.problems]
    assert cached.services == fresh.services and cached.hubs == fresh.hubs
    assert cached.organisations == fresh.organisations and cached.pages == fresh.pages
    assert cached.entry_fingerprints == fresh.entry_fingerprints
    assert cached.fingerprint == fresh.fingerprint


def test_a_cached_load_reports_what_a_fresh_one_does(content, tmp_path, settled):
    cache = tmp_path / "cache"
    fresh, first, counts = loads(content, cache)
    same(fresh, first)
    assert counts == {"hits": 0, "misses": 8}   # 4 services, 2 hubs, 1 organisation, 1 page
    fresh, second, counts = loads(content, cache)
    same(fresh, second)
    assert counts == {"hits": 8, "misses": 0}
    messages = [problem.message for problem in second.errors]
    assert messages == ["is 300 characters long; the limit is 200", "2026-12-01 is in the future",
                        "unknown organisation 'no-such-org'"]


def test_rules_across_entries_still_run_over_cached_entries(content, tmp_path, settled):
    cache = tmp_path / "cache"
    loads(content, cache)
    (content / "organisations" / "test-org.md").unlink()
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 0, "the services are unchanged, so they come from the cache"
    unknown = [problem for problem in cached.errors if problem.message == "unknown organisation 'test-org'"]
    assert len(unknown) == 3
    assert all(problem.line > 1 for problem in unknown), "the line of the field, from the cached lines"


def test_a_changed_file_is_read_again(content, tmp_path, settled):
    cache = tmp_path / "cache"
    loads(content, cache)
    write_service(content, service("bad-summary", summary="Short now."))
    write_service(content, service("parenting-group", title="Renamed"))
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 2
    assert cached.services["parenting-group"].title == "Renamed"
    assert not any(problem.path.endswith("bad-summary.md") for problem in cached.errors)


def test_same_size_and_time_still_counts_as_changed(content, tmp_path, settled):
    """An edit that keeps the size and puts the modification time back is still seen (ctime, inode)."""
    cache = tmp_path / "cache"
    loads(content, cache)
    path = content / "services" / "parenting-group.md"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("Parenting group", "Parenting groop"))
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 1 and cached.services["parenting-group"].title == "Parenting groop"


def test_a_file_changed_while_it_is_read_is_not_remembered(content, tmp_path, settled):
    cache = EntryCache(tmp_path / "cache", content, TODAY)
    path = content / "services" / "parenting-group.md"

    def parse_while_an_editor_saves():
        parsed = cache_module.ParsedFile("old entry", str(path), "0" * 16, None, [])
        path.write_text(path.read_text() + "\nSaved meanwhile.\n")
        return parsed

    assert cache.read(str(path), "services/parenting-group.md", parse_while_an_editor_saves,
                      lambda parsed: None) == "old entry"
    cache.save(("services",))
    _, cached, counts = loads(content, tmp_path / "cache")
    assert "Saved meanwhile." in cached.services["parenting-group"].body
    assert counts["misses"] == 8


def test_files_changed_just_before_the_run_are_read_but_not_remembered(content, tmp_path):
    """The real rule: a file changed in the last two seconds may change again within one clock tick."""
    cache = tmp_path / "cache"
    _, _, counts = loads(content, cache)
    _, _, again = loads(content, cache)
    assert counts["misses"] == again["misses"] == 8


def test_the_day_matters_only_where_a_rule_depends_on_it(content, tmp_path, settled):
    cache = tmp_path / "cache"
    _, before, _ = loads(content, cache, today=TODAY)
    assert any(problem.path.endswith("future-review.md") and problem.field == "last_reviewed"
               for problem in before.errors)
    fresh, after, counts = loads(content, cache, today=dt.date(2026, 12, 2))
    same(fresh, after)
    assert not any(problem.path.endswith("future-review.md") and problem.field == "last_reviewed"
                   for problem in after.errors)
    assert counts == {"hits": 7, "misses": 1}


def test_a_removed_file_is_gone_and_a_damaged_cache_is_only_slower(content, tmp_path, settled):
    cache = tmp_path / "cache"
    loads(content, cache)
    (content / "services" / "lost-org.md").unlink()
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert "lost-org" not in cached.services
    for shard in [*cache.glob("*/*.pickle"), *cache.glob("*/*.index")]:
        shard.write_bytes(b"not a pickle at all" * 100)
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)   # the folder records vouch for the files; their entries are read again
    for record in cache.glob("*/*.folder"):
        record.write_bytes(b"not a pickle at all" * 100)
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 7


def test_services_are_unpickled_only_when_used(content, tmp_path, settled):
    """A cached load checks across entries from each service's refs; the entries wait until asked for."""
    cache = tmp_path / "cache"
    loads(content, cache)
    cached = load_content(content, today=TODAY, cache_dir=cache)
    assert isinstance(cached.services, LazyEntries)
    assert not any(cached.services.is_loaded(service_id) for service_id in cached.services)
    assert sorted(cached.published_service_ids()) == ["bad-summary", "future-review", "lost-org",
                                                      "parenting-group"]
    assert not any(cached.services.is_loaded(service_id) for service_id in cached.services)
    assert cached.services["lost-org"].organisation == "no-such-org"
    assert cached.services.is_loaded("lost-org")
    assert dict(cached.services.refs())["lost-org"] == cached.services["lost-org"].refs()


def test_entries_rewritten_under_a_load_are_read_again(content, tmp_path, settled):
    """Another run may replace a shard's entries after this load read its index: the file is read."""
    cache = tmp_path / "cache"
    loads(content, cache)
    cached = load_content(content, today=TODAY, cache_dir=cache)
    for shard in cache.glob("*/services-*.pickle"):
        shard.write_bytes(b"not a pickle at all" * 100)
    fresh = load_content(content, today=TODAY)
    same(fresh, cached)


def counted(monkeypatch, module, name: str) -> list:
    """Calls of ``module.name`` (still made) in a list, to show a shortcut was taken."""
    calls, original = [], getattr(module, name)

    def counting(*args, **kwargs):
        calls.append(args)
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls


def settle_folders(content: Path) -> None:
    """Folder times set in the past, so that a change within the same clock tick still moves them."""
    for folder in ["services", "hubs", "organisations", "pages"]:
        os.utime(content / folder, ns=(1_000_000_000, 1_000_000_000))


def test_an_unchanged_folder_is_not_listed_again_and_a_changed_one_is(content, tmp_path, settled,
                                                                      monkeypatch):
    """A folder's listing is kept while the folder's times are the same: a file added, deleted or
    replaced by a rename changes them; an edit in place does not, and each file's own stat finds it."""
    cache = tmp_path / "cache"
    settle_folders(content)
    loads(content, cache)
    listed = counted(monkeypatch, loader_module, "_list")
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert len(listed) == 4, "the fresh load lists the four folders, the cached one none"
    services = content / "services"

    write_service(content, service("new-group"))                      # added
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert "new-group" in cached.services

    settle_folders(content)
    loads(content, cache)
    (services / "lost-org.md").unlink()                               # deleted
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert "lost-org" not in cached.services

    settle_folders(content)
    loads(content, cache)
    replacement = write_service(tmp_path, service("parenting-group", title="Moved in"))
    os.rename(replacement, services / "parenting-group.md")            # replaced, as `mv` does
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert cached.services["parenting-group"].title == "Moved in"

    settle_folders(content)
    loads(content, cache)
    del listed[:]
    write_service(content, service("new-group", title="Edited in place"))  # the folder keeps its times
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert len(listed) == 4, "only the fresh load listed the folders"
    assert cached.services["new-group"].title == "Edited in place" and counts["misses"] == 1

    (services / "Bad Name.md").write_text("x")                        # a misnamed file, reported
    (content / "hubs" / "south.fr.md").write_text("---\nname: Sud\n---\n")   # a translation, read
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert any(problem.path.endswith("Bad Name.md") for problem in cached.errors)
    assert any(problem.path.endswith("south.fr.md") for problem in cached.problems)


def test_a_folder_record_vouches_for_unchanged_files_and_no_more(content, tmp_path, settled, monkeypatch):
    """With each folder's record (``FolderRecord``), a load of unchanged folders looks up no file in
    the per-file cache; a file edited in place, whatever its size and times, is read through it."""
    cache = tmp_path / "cache"
    write_service(content, service("archived-one", status="archived"))
    loads(content, cache)
    looked_up = counted(monkeypatch, EntryCache, "unchanged")
    indexes = counted(monkeypatch, EntryCache, "_index_of")
    cached = load_content(content, today=TODAY, cache_dir=cache)
    assert looked_up == [] and indexes == [], "every file vouched for by its folder's record"
    fresh = load_content(content, today=TODAY)
    assert cached.published_service_ids() == fresh.published_service_ids()
    assert "archived-one" not in cached.published_service_ids()
    assert not any(cached.services.is_loaded(service_id) for service_id in cached.services)
    same(fresh, cached)

    path = content / "services" / "lost-org.md"
    before = path.stat()
    path.write_text(path.read_text().replace("no-such-org", "no-such-orx"))   # same size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    del looked_up[:]
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert {call[2] for call in looked_up} == {"services/lost-org.md"}
    assert counts == {"hits": 8, "misses": 1}
    assert "unknown organisation 'no-such-orx'" in [problem.message for problem in cached.errors]

    write_service(content, service("archived-one", status="published"))     # published now
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert "archived-one" in cached.published_service_ids()


def test_a_file_read_again_leaves_the_others_of_its_shard_remembered(content, tmp_path, settled):
    """A load that reads one changed file reads its shard's index and writes it back: the files its
    folder's record vouched for are still in it."""
    cache = tmp_path / "cache"
    for number in range(600):   # a few in every one of the 256 shards
        write_service(content, service(f"group-{number}"))
    loads(content, cache)
    write_service(content, service("group-7", title="Edited"))
    assert loads(content, cache)[2]["misses"] == 1
    for record in cache.glob("*/*.folder"):
        record.unlink()
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts == {"hits": 608, "misses": 0}


def test_a_file_changed_just_before_the_run_is_read_again_next_time(content, tmp_path, settled,
                                                                    monkeypatch):
    """A file the per-file cache did not remember (changed within two seconds of the run) is one its
    folder's record does not vouch for: it is read again, however unchanged it looks."""
    cache = tmp_path / "cache"
    loads(content, cache)
    write_service(content, service("parenting-group", title="Just saved"))
    monkeypatch.setattr(cache_module, "SETTLED_NS", 10**18)   # nothing counts as settled now
    loads(content, cache)
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 1 and cached.services["parenting-group"].title == "Just saved"


def venue(hub: str, postcode: str) -> dict:
    return {"name": "Hall", "address": "1 Road", "postcode": postcode, "hub": hub}


def test_checks_across_entries_are_kept_and_run_again_when_what_they_read_changes(
        content, tmp_path, settled, monkeypatch):
    """A service's checks across entries are reused only while its file, the ids of organisations,
    needs and hubs, the hubs' areas and the review period are the same; the day is always looked at."""
    cache = tmp_path / "cache"
    write_service(content, service("at-venue", venues=[venue("west", "N17 6BB"), venue("east", "N15 3AA")],
                                   last_reviewed="2025-10-15"))
    loads(content, cache)
    runs = counted(monkeypatch, loader_module._ServiceChecks, "run")
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert len(runs) == 5 and counts["misses"] == 0, "the fresh load's 5, none in the cached load"
    assert [problem.message for problem in cached.warnings if "hub" in problem.message] == [
        "'N15 3AA' is in hub 'west' (N15 3), not in hub 'east' that the venue names"]

    del runs[:]
    fresh, cached, _ = loads(content, cache, today=dt.date(2026, 10, 20))   # another day: its review is due
    same(fresh, cached)
    assert len(runs) == 5, "only the fresh load ran the checks"
    assert any(problem.kind == "review overdue" and problem.path.endswith("at-venue.md")
               for problem in cached.warnings)

    west = content / "hubs" / "west.md"
    west.write_text(west.read_text().replace("- N15 3\n", ""))   # the venue's area is now no hub's
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    outside = [problem.message for problem in cached.warnings
               if problem.kind == "venue outside its hub's area"]
    assert outside == ["'N15 3AA' is outside every hub's area, but the venue names hub 'east'"]

    (content / "organisations" / "no-such-org.md").write_text(
        "---\nid: no-such-org\nname: Found at last\n---\nAn organisation.\n")
    fresh, cached, _ = loads(content, cache)
    same(fresh, cached)
    assert not any("no-such-org" in problem.message for problem in cached.errors)

    site_file = content / "site.yml"
    site_file.write_text(site_file.read_text().replace("review_months: 12", "review_months: 11"))
    fresh, cached, _ = loads(content, cache, today=dt.date(2026, 9, 20))
    same(fresh, cached)
    assert any(problem.kind == "review overdue" for problem in cached.warnings)


def test_a_publish_gives_the_content_back_to_the_garbage_collector(content_dir, folders, settled):
    """A publish keeps the loaded content out of the collector's way (gc.freeze) only while it runs:
    a process that publishes again and again (the editor's jobs) must not keep every load."""
    publish(content_dir, folders["index"])
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    write_service(content_dir, service("broken", summary="x" * 300))
    with pytest.raises(ContentError):
        publish(content_dir, folders["index"])
    assert gc.get_freeze_count() == 0 and gc.isenabled()


def test_a_one_entry_publish_shares_the_live_release_segment_files(content_dir, folders, settled):
    first = publish(content_dir, folders["index"])
    write_service(content_dir, service("gardening-club", title="Family gardening club"))
    second = publish(content_dir, folders["index"])
    assert second.manifest["built"] == "incremental"
    assert (folders["index"] / CACHE_FOLDER).is_dir()
    store = ReleaseStore(folders["index"])
    old, new = (store.path_of(release.release_id) / WHOOSH_FOLDER for release in (first, second))
    shared = [path.name for path in old.iterdir()
              if (new / path.name).exists() and (new / path.name).stat().st_ino == path.stat().st_ino]
    assert any(name.endswith(".seg") for name in shared), shared
    # The live release's index is untouched by the new one: it still searches as before.
    assert whoosh_index.open_dir(str(old)).doc_count() == 5
    assert whoosh_index.open_dir(str(new)).doc_count() == 6


def test_other_code_empties_the_cache_rather_than_trusting_it(content, tmp_path, settled, monkeypatch):
    cache = tmp_path / "cache"
    loads(content, cache)
    monkeypatch.setattr(cache_module, "_code_version", lambda: "another version")
    fresh, cached, counts = loads(content, cache)
    same(fresh, cached)
    assert counts["misses"] == 8
    assert len(list(cache.iterdir())) == 1, "one folder per content folder, whatever the version"
    assert loads(content, cache)[2]["hits"] == 8


# -- the database of an incremental release: directory.db shared, changes in changes.db -----------
def release_rows(index: Path, release_id: str | None = None) -> dict[str, list[tuple]]:
    store = ReleaseStore(index)
    path = store.path_of(release_id) if release_id else store.current().path
    db = open_database(path / DATABASE_FILE)
    return {table: sorted((tuple(row) for row in db.execute(f"SELECT * FROM [{table}]")), key=repr)
            for table in (*TABLES, *SERVICE_LINKS)}


def search_ids(index: Path, **params) -> list[str]:
    engine = LiveRelease(index).get().engine
    request = parse_request({key: [value] for key, value in params.items()} | {"per_page": ["50"]},
                            engine.vocabulary)
    return [hit.id for hit in engine.search(request).hits]


def same_as_a_full_build(content_dir: Path, index: Path, tmp_path: Path) -> None:
    rebuilt = tmp_path / f"rebuilt-{len(list(tmp_path.glob('rebuilt-*')))}"
    assert publish(content_dir, rebuilt, incremental=False).manifest["built"] == "full"
    assert release_rows(index) == release_rows(rebuilt)
    for params in ({}, {"q": "clinic"}, {"q": "gardening"}, {"hub": "west"}, {"need": "money-debt"}):
        assert search_ids(index, **params) == search_ids(rebuilt, **params), params


def test_incremental_releases_share_the_database_and_equal_a_full_build(content_dir, folders, tmp_path,
                                                                        settled):
    index = folders["index"]
    first = publish(content_dir, index, keep=10)
    base = ReleaseStore(index).path_of(first.release_id) / DATABASE_FILE
    base_bytes = base.read_bytes()
    titles = {}
    for step, change in enumerate([
            lambda: write_service(content_dir, service("debt-advice", title="Money and debt clinic",
                                                       needs=["money-debt"], hubs=["east"])),
            lambda: write_service(content_dir, service("gardening-club", title="Family gardening club",
                                                       hubs=["west"])),
            lambda: (content_dir / "services" / "stay-and-chat.md").unlink(),
            lambda: write_service(content_dir, service("idva-outreach", status="archived")),
            lambda: write_service(content_dir, service("debt-advice", title="Debt clinic, again",
                                                       needs=["money-debt"], hubs=["east"]))]):
        change()
        result = publish(content_dir, index, keep=10)
        assert result.manifest["built"] == "incremental", step
        release = ReleaseStore(index).path_of(result.release_id)
        assert (release / CHANGES_FILE).is_file()
        assert (release / DATABASE_FILE).stat().st_ino == base.stat().st_ino, "shared, not copied"
        same_as_a_full_build(content_dir, index, tmp_path)
        titles[result.release_id] = {row[0]: row[2] for row in release_rows(index)["services"]}
    assert base.read_bytes() == base_bytes, "the shared database is never written"
    # Every release still reads as it was published (rollback): its own changes over the shared file.
    for release_id, expected in titles.items():
        assert {row[0]: row[2] for row in release_rows(index, release_id)["services"]} == expected
    assert {row[0]: row[2] for row in release_rows(index, first.release_id)["services"]}[
        "debt-advice"] == "Debt and benefits advice"


def test_past_the_limit_the_database_is_copied_with_the_changes_applied(content_dir, folders, tmp_path,
                                                                         settled, monkeypatch):
    index = folders["index"]
    first = publish(content_dir, index)
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    second = publish(content_dir, index)
    assert (ReleaseStore(index).path_of(second.release_id) / CHANGES_FILE).is_file()
    monkeypatch.setattr(publish_module, "CHANGES_LIMIT", 1)
    write_service(content_dir, service("debt-advice", title="Money and debt clinic", needs=["money-debt"]))
    third = publish(content_dir, index)
    assert third.manifest["built"] == "incremental"
    path = ReleaseStore(index).path_of(third.release_id)
    assert not (path / CHANGES_FILE).exists()
    base = ReleaseStore(index).path_of(first.release_id) / DATABASE_FILE
    assert (path / DATABASE_FILE).stat().st_ino != base.stat().st_ino
    same_as_a_full_build(content_dir, index, tmp_path)
    # The next change starts a new changes.db over the merged copy.
    monkeypatch.setattr(publish_module, "CHANGES_LIMIT", 1000)
    write_service(content_dir, service("gardening-club", title="Gardening club", hubs=["east"]))
    fourth = publish(content_dir, index)
    assert (ReleaseStore(index).path_of(fourth.release_id) / CHANGES_FILE).is_file()
    same_as_a_full_build(content_dir, index, tmp_path)
    # Compacting folds it in, with or without a change to publish.
    compacted = publish(content_dir, index, compact=True)
    assert compacted.manifest["built"] == "incremental"
    assert not (ReleaseStore(index).path_of(compacted.release_id) / CHANGES_FILE).exists()
    same_as_a_full_build(content_dir, index, tmp_path)


def test_an_incremental_release_travels_whole(content_dir, folders, tmp_path, settled):
    publish(content_dir, folders["index"])
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    publish(content_dir, folders["index"])
    push(folders["index"], tmp_path / "shelf")
    node = tmp_path / "node"
    pull(node, tmp_path / "shelf")
    assert release_rows(node) == release_rows(folders["index"])
    assert search_ids(node, q="gardening") == ["gardening-club"]


def test_the_fingerprints_are_shared_between_releases(content_dir, folders, settled, monkeypatch):
    """A release's entry fingerprints are its entries.json with the manifest's differences applied; an
    incremental release shares the live file (hard link) and lists only what differs from it."""
    index = folders["index"]
    store = ReleaseStore(index)
    first = publish(content_dir, index, keep=10)
    base = store.path_of(first.release_id) / ENTRIES_FILE
    assert "entries" not in first.manifest and first.manifest["entries_changed"] == {}
    assert release_entries(store.current()) == first.content.entry_fingerprints
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    second = publish(content_dir, index, keep=10)
    (content_dir / "services" / "stay-and-chat.md").unlink()
    third = publish(content_dir, index, keep=10)
    assert third.manifest["built"] == "incremental"
    for result in (second, third):
        release = store.get(result.release_id)
        assert (release.path / ENTRIES_FILE).stat().st_ino == base.stat().st_ino, "shared, not written"
        assert release_entries(release) == result.content.entry_fingerprints
    assert third.manifest["entries_changed"] == {
        "services/gardening-club.md": third.content.entry_fingerprints["services/gardening-club.md"],
        "services/stay-and-chat.md": None}
    assert release_entries(store.get(first.release_id)) == first.content.entry_fingerprints
    # Past the limit of differences, the release writes its own file.
    monkeypatch.setattr(publish_module, "CHANGES_LIMIT", 1)
    write_service(content_dir, service("debt-advice", title="Money and debt clinic", needs=["money-debt"]))
    fourth = publish(content_dir, index, keep=10)
    release = store.get(fourth.release_id)
    assert fourth.manifest["built"] == "incremental" and fourth.manifest["entries_changed"] == {}
    assert (release.path / ENTRIES_FILE).stat().st_ino != base.stat().st_ino
    assert release_entries(release) == fourth.content.entry_fingerprints
    # An edit published on top of it is found by comparing with those fingerprints.
    monkeypatch.setattr(publish_module, "CHANGES_LIMIT", 1000)
    write_service(content_dir, service("debt-advice", title="Debt clinic", needs=["money-debt"]))
    fifth = publish(content_dir, index, keep=10)
    assert fifth.manifest["built"] == "incremental"
    assert list(fifth.manifest["entries_changed"]) == ["services/debt-advice.md"]


def test_the_live_fingerprints_are_decoded_once_per_file(content_dir, folders, settled):
    """The live release's entries.json, shared by every incremental release after a full one, is
    decoded once: later publishes read the decoded copy, while it was made of that very file."""
    index = folders["index"]
    store = ReleaseStore(index)
    publish(content_dir, index)
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    second = publish(content_dir, index)
    assert second.manifest["built"] == "incremental"
    decoded = index / CACHE_FOLDER / publish_module.DECODED_ENTRIES
    identity, _ = marshal.loads(decoded.read_bytes())
    assert release_entries(store.current(), decoded) == second.content.entry_fingerprints
    decoded.write_bytes(marshal.dumps((identity, {"services/kept.md": "0" * 16})))
    assert "services/kept.md" in release_entries(store.current(), decoded), "the copy is read"
    entries_file = store.current().path / ENTRIES_FILE
    os.utime(entries_file, ns=(entries_file.stat().st_atime_ns, entries_file.stat().st_mtime_ns + 1))
    assert release_entries(store.current(), decoded) == second.content.entry_fingerprints, "another file"
