"""A load with processes > 1 parses the files the entry cache lacks in forked workers
(app/content/workers.py); it must give back what a serial load does: the same entries, the same
problems (file, line, field, message) in the same order, the same fingerprints."""

from __future__ import annotations

import datetime as dt
import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pytest

from app.content import entries, load_content, workers
from app.content import entry_cache as cache_module
from app.content.writing import render_entry
from app.editorial.publishing import Author, write_and_publish
from app.publishing.publish import publish, release_entries
from app.publishing.releases import ReleaseStore

from .factories import service, write_content, write_service
from .test_publish_reuse import release_rows, same

TODAY = dt.date(2026, 10, 1)


@pytest.fixture
def parallel(monkeypatch) -> list:
    """Workers from the first file, in batches of three; the results the workers gave back."""
    monkeypatch.setattr(cache_module, "SETTLED_NS", 0)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "BATCH", 3)
    parsed = []
    real = workers.parse_in_workers

    def counting(work, items, processes):
        for result in real(work, items, processes):
            parsed.append(result)
            yield result

    monkeypatch.setattr(workers, "parse_in_workers", counting)
    return parsed


@pytest.fixture
def content(tmp_path) -> Path:
    root = write_content(tmp_path / "content", [
        service(f"group-{number:02d}", title=f"Parenting group {number}") for number in range(12)
    ] + [
        service("bad-summary", summary="x" * 300),                      # a problem in the file alone
        service("lost-org", organisation="no-such-org"),                # a problem across entries
        service("future-review", last_reviewed="2026-12-01"),           # depends on the day
        service("bad-phone", contact={"phone": "not a phone"}),
    ])
    services = root / "services"
    (services / "broken-yaml.md").write_text("---\ntitle: [unclosed\n---\nBody.\n", encoding="utf-8")
    (services / "not-a-mapping.md").write_text("---\n- a list\n---\nBody.\n", encoding="utf-8")
    (services / "not-utf8.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")
    (services / "wrong-id.md").write_text((services / "group-00.md").read_text(encoding="utf-8"),
                                          encoding="utf-8")
    (services / "bad-link.md").write_text(
        (services / "group-00.md").read_text(encoding="utf-8").replace("id: group-00", "id: bad-link")
        + "\n[a link](javascript:alert(1))\n", encoding="utf-8")
    return root


def test_a_parallel_load_gives_back_what_a_serial_one_does(content, tmp_path, parallel):
    serial = load_content(content, today=TODAY)
    serial_cached = load_content(content, today=TODAY, cache_dir=tmp_path / "serial-cache")
    assert parallel == []
    several = load_content(content, today=TODAY, cache_dir=tmp_path / "cache", processes=2)
    assert len(parallel) == len(list(content.glob("*/*.md"))), "every entry file was parsed in a worker"
    same(serial, several)
    same(serial_cached, several)
    without_cache = load_content(content, today=TODAY, processes=3)
    same(serial, without_cache)

    # The problems found in workers, each at its file, line and field, as a serial load says them.
    found = {(Path(problem.path).name, problem.line, problem.field) for problem in several.problems}
    assert {("bad-summary.md", 4, "summary"), ("future-review.md", 23, "last_reviewed"),
            ("broken-yaml.md", 3, "(file)"), ("not-a-mapping.md", 2, "(front matter)"),
            ("not-utf8.md", 2, "(file)"), ("wrong-id.md", 2, "id"), ("bad-link.md", 27, "body"),
            ("bad-phone.md", 21, "contact.phone"), ("lost-org.md", 5, "organisation")} <= found, found

    # What the workers' results left in the cache serves the next load, which parses nothing.
    parallel.clear()
    cached = load_content(content, today=TODAY, cache_dir=tmp_path / "cache", processes=2)
    assert parallel == []
    same(serial, cached)


def test_a_file_changed_after_a_worker_read_it_is_not_remembered(content, tmp_path, parallel, monkeypatch):
    real = workers.parse_in_workers
    path = content / "services" / "group-03.md"
    edited = []

    def then_an_editor_saves(work, items, processes):
        results = list(real(work, items, processes))
        if not edited and (path.name, path.stem) in items:
            text = path.read_text(encoding="utf-8").replace("Parenting group 3", "Parenting group three")
            path.write_text(text + "\nMore.\n", encoding="utf-8")
            edited.append(path)
        yield from results

    monkeypatch.setattr(workers, "parse_in_workers", then_an_editor_saves)
    cache = tmp_path / "cache"
    # What the worker read, as a serial load reading the file a moment earlier would have...
    assert load_content(content, today=TODAY, cache_dir=cache, processes=2).services["group-03"].title \
        == "Parenting group 3"
    # ... but not kept in the cache: the next load reads the file again.
    parallel.clear()
    again = load_content(content, today=TODAY, cache_dir=cache, processes=2)
    assert again.services["group-03"].title == "Parenting group three"
    assert len(parallel) == 1
    same(load_content(content, today=TODAY), again)


def test_an_exception_in_a_worker_is_raised_as_in_a_serial_load(content, parallel, monkeypatch):
    real = entries.read_service

    def failing(reader, stem, today):
        if stem == "group-07":
            raise RuntimeError("a bug in a check")
        return real(reader, stem, today)

    monkeypatch.setattr(entries, "read_service", failing)
    for processes in (1, 2):
        with pytest.raises(RuntimeError, match="a bug in a check"):
            load_content(content, today=TODAY, processes=processes)


def test_few_files_or_one_process_parse_here(content, tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "parse_in_workers", lambda *args: pytest.fail("forked"))
    load_content(content, today=TODAY, cache_dir=tmp_path / "cache", processes=2)   # fewer than PARALLEL_FROM
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    load_content(content, today=TODAY, processes=1)


def test_a_full_publish_with_workers_publishes_what_one_process_does(content_dir, tmp_path, parallel):
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    one = publish(content_dir, tmp_path / "serial", processes=1, today=TODAY)
    assert parallel == []
    several = publish(content_dir, tmp_path / "parallel", processes=2, today=TODAY)
    assert len(parallel) == len(list(content_dir.glob("*/*.md")))
    assert release_rows(tmp_path / "parallel") == release_rows(tmp_path / "serial")
    assert (release_entries(ReleaseStore(tmp_path / "parallel").current())
            == release_entries(ReleaseStore(tmp_path / "serial").current()))
    assert several.manifest["content_fingerprint"] == one.manifest["content_fingerprint"]


def test_the_editors_publish_from_the_web_app_never_forks(content_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)
    monkeypatch.setattr(workers, "parse_in_workers", lambda *args: pytest.fail("a web request forked"))
    text = render_entry(service("parenting-group", title="Parenting group (Tuesdays)"), "What happens.")
    published = write_and_publish(content_dir, tmp_path / "index", {"services/parenting-group.md": text},
                                  author=Author("Edie Editor", "edie@example.org"), message="Tuesdays")
    assert published.release_id   # a first publish: every file parsed, the entry cache cold


def test_a_worker_that_dies_stops_the_load_rather_than_hanging_it(content, parallel, monkeypatch):
    real = entries.read_service

    parent = os.getpid()

    def killed(reader, stem, today):
        if os.getpid() != parent:   # this process parses a share too (`parse_in_workers`)
            os._exit(9)   # as the kernel's out-of-memory killer would end it
        return real(reader, stem, today)

    monkeypatch.setattr(entries, "read_service", killed)
    with pytest.raises(BrokenProcessPool):
        load_content(content, today=TODAY, processes=2)


def test_this_process_parses_a_share_and_the_results_come_back_in_order(monkeypatch):
    monkeypatch.setattr(workers, "BATCH", 3)
    parent = os.getpid()

    def work(item: int) -> tuple[int, int]:
        if os.getpid() != parent:
            time.sleep(0.005)   # a worker's first batch is not back before this process looks
        return item, os.getpid()

    items = list(range(40))
    results = list(workers.parse_in_workers(work, items, 2))
    assert [item for item, _ in results] == items
    # This process took the last batch first rather than wait for the worker's first.
    assert results[-1][1] == parent


def test_an_exception_in_a_batch_taken_here_waits_for_its_turn(monkeypatch):
    monkeypatch.setattr(workers, "BATCH", 3)

    def failing(item: int) -> int:
        if item == 1:
            raise ValueError("first")
        if item == 38:   # in the last batch, which this process takes first
            raise KeyError("later")
        return item

    with pytest.raises(ValueError, match="first"):   # as a serial loop would raise
        list(workers.parse_in_workers(failing, list(range(40)), 2))
