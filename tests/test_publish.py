"""Publishing: a release is complete and live, or nothing changed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest

from app.content import ContentError
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.reader import open_database

from .factories import service, write_content, write_service


def live_service_ids(index_dir) -> set[str]:
    store = ReleaseStore(index_dir)
    db = open_database(store.current().path / "directory.db")
    return {row["id"] for row in db["services"].rows}


def test_release_layout_manifest_and_database(published, folders):
    store = ReleaseStore(folders["index"])
    release = store.current()
    assert release.id == published.release_id
    assert os.readlink(folders["index"] / "current") == f"releases/{release.id}"
    assert (release.path / "whoosh").is_dir()
    manifest = json.loads((release.path / "manifest.json").read_text())
    assert manifest["counts"]["services"] == 5  # the draft is not published
    assert manifest["counts"]["services_not_published"] == 1
    assert manifest["content_fingerprint"] == published.content.fingerprint
    db = open_database(release.path / "directory.db")
    assert {row["id"] for row in db["services"].rows} == {
        "incredible-years", "debt-advice", "attendance-support", "stay-and-chat", "idva-outreach"}
    assert {row["need_id"] for row in db["service_needs"].rows_where("service_id = ?", ["debt-advice"])} == {
        "money-debt"}
    bands = {row["age_band_id"] for row in db["service_age_bands"].rows_where(
        "service_id = ?", ["idva-outreach"])}
    assert bands == {"pregnancy", "16-18", "19-25"}
    debt = db["services"].get("debt-advice")
    assert debt["borough_wide"] == 1 and debt["uuid"]
    assert db["hub_areas"].count == 3
    assert db["pages"].get("about")["body_html"] == "<p>About this directory.</p>"


def test_bad_entry_changes_nothing(published, content_dir, folders):
    before = ReleaseStore(folders["index"]).current_id()
    write_service(content_dir, service("broken", needs=["no-such-need"]))
    with pytest.raises(ContentError) as raised:
        publish(content_dir, folders["index"], processes=1)
    assert any(problem.field == "needs[0]" for problem in raised.value.problems)
    store = ReleaseStore(folders["index"])
    assert store.current_id() == before
    assert [release.id for release in store.list()] == [before]
    assert not list((folders["index"] / "releases").glob(".building-*"))


PUBLISH_SCRIPT = """
import sys
from app.publishing.publish import publish
publish(sys.argv[1], sys.argv[2], processes=1,
        report=lambda message: print(message, flush=True))
"""


def interrupt_publish(content_dir, index_dir, sig: int) -> None:
    """Start a publish of a larger content folder and send it ``sig`` while it indexes."""
    for number in range(1500):
        write_service(content_dir, service(f"extra-{number}", summary=f"Extra service number {number}."))
    process = subprocess.Popen([sys.executable, "-c", PUBLISH_SCRIPT, str(content_dir), str(index_dir)],
                               stdout=subprocess.PIPE, text=True)
    for line in process.stdout:
        if line.startswith("Indexed"):
            break
    process.send_signal(sig)
    process.communicate()
    assert process.returncode != 0, "the signal should have stopped the publish"


def test_interrupted_publish_cleans_up_and_leaves_live_release(published, content_dir, folders):
    """An exception inside the build (here KeyboardInterrupt) removes the partial build."""
    before = ReleaseStore(folders["index"]).current_id()
    interrupt_publish(content_dir, folders["index"], signal.SIGINT)
    releases = folders["index"] / "releases"
    assert sorted(path.name for path in releases.iterdir()) == [before]
    assert ReleaseStore(folders["index"]).current_id() == before
    assert "extra-1" not in live_service_ids(folders["index"])


def test_killed_publish_leaves_live_release_and_is_cleaned_up(published, content_dir, folders):
    before = ReleaseStore(folders["index"]).current_id()
    interrupt_publish(content_dir, folders["index"], signal.SIGKILL)
    releases = folders["index"] / "releases"
    assert list(releases.glob(".building-*")), "the kill should have interrupted a build"
    assert ReleaseStore(folders["index"]).current_id() == before
    assert "extra-1" not in live_service_ids(folders["index"])
    # The next publish is not blocked by the dead one and tidies its leftovers.
    result = publish(content_dir, folders["index"], processes=1)
    assert ReleaseStore(folders["index"]).current_id() == result.release_id
    assert not list(releases.glob(".building-*"))
    assert "extra-1" in live_service_ids(folders["index"])


def test_concurrent_publishes_are_serialised(content_dir, folders):
    results, errors = [], []

    def run():
        try:
            results.append(publish(content_dir, folders["index"], processes=1))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    ids = {result.release_id for result in results}
    assert len(ids) == 3
    store = ReleaseStore(folders["index"])
    assert {release.id for release in store.list()} == ids
    assert store.current_id() in ids


def test_keeps_last_five_releases_and_rolls_back(content_dir, folders):
    ids = []
    for number in range(7):
        write_service(content_dir, service(f"round-{number}"))
        ids.append(publish(content_dir, folders["index"], processes=1).release_id)
        time.sleep(0.01)
    store = ReleaseStore(folders["index"])
    kept = [release.id for release in store.list()]
    assert kept == sorted(ids[-5:], reverse=True)
    assert store.current_id() == ids[-1]

    command = [sys.executable, "-m", "app"]
    rolled = subprocess.run([*command, "rollback", "--index", str(folders["index"])],
                            capture_output=True, text=True)
    assert rolled.returncode == 0, rolled.stderr
    assert store.current_id() == ids[-2]
    assert "round-6" not in live_service_ids(folders["index"])

    chosen = subprocess.run([*command, "rollback", ids[-1], "--index", str(folders["index"])],
                            capture_output=True, text=True)
    assert chosen.returncode == 0 and store.current_id() == ids[-1]

    unknown = subprocess.run([*command, "rollback", "nope", "--index", str(folders["index"])],
                             capture_output=True, text=True)
    assert unknown.returncode != 0 and "no complete release with id 'nope'" in unknown.stderr

    listing = subprocess.run([*command, "releases", "--index", str(folders["index"])],
                             capture_output=True, text=True)
    assert listing.stdout.splitlines()[0].startswith(f"* {ids[-1]}")
    assert len(listing.stdout.splitlines()) == 5


def test_publish_command_reports_errors_and_leaves_site(published, content_dir, folders):
    before = ReleaseStore(folders["index"]).current_id()
    write_service(content_dir, service("broken", hubs=["nowhere"]))
    run = subprocess.run([sys.executable, "-m", "app", "publish", "--content", str(content_dir),
                          "--index", str(folders["index"])], capture_output=True, text=True)
    assert run.returncode == 1
    assert "broken.md:" in run.stdout and "hubs[0]: unknown hub 'nowhere'" in run.stdout
    assert "The live site is unchanged" in run.stderr
    assert ReleaseStore(folders["index"]).current_id() == before


def test_publish_command_uses_environment_folders(tmp_path):
    content = write_content(tmp_path / "c", [service("env-service")])
    environment = dict(os.environ, EARLYHELP_CONTENT_DIR=str(content),
                       EARLYHELP_INDEX_DIR=str(tmp_path / "i"))
    run = subprocess.run([sys.executable, "-m", "app", "publish"], capture_output=True, text=True,
                         env=environment)
    assert run.returncode == 0, run.stderr
    assert "Published release" in run.stdout
    assert live_service_ids(tmp_path / "i") == {"env-service"}


def search_ids(index_dir, **params) -> list[str]:
    from app.release.live import LiveRelease
    from app.search.request import parse_request

    engine = LiveRelease(index_dir).get().engine
    request = parse_request({key: [value] for key, value in params.items()} | {"per_page": ["50"]},
                            engine.vocabulary)
    return [hit.id for hit in engine.search(request).hits]


def test_changing_a_few_services_updates_a_copy_of_the_live_release(published, content_dir, folders,
                                                                    tmp_path):
    write_service(content_dir, service("debt-advice", title="Money and debt clinic", needs=["money-debt"],
                                       hubs=["east"], summary="Weekly clinic for debts and bills."))
    write_service(content_dir, service("gardening-club", title="Family gardening club", hubs=["west"]))
    (content_dir / "services" / "stay-and-chat.md").unlink()
    write_service(content_dir, service("idva-outreach", status="archived"))
    result = publish(content_dir, folders["index"], processes=1)
    assert result.manifest["built"] == "incremental"
    assert result.manifest["counts"]["services"] == 4

    # The updated release answers exactly like a release rebuilt from scratch.
    rebuilt = tmp_path / "rebuilt"
    assert publish(content_dir, rebuilt, processes=1, incremental=False).manifest["built"] == "full"
    for params in ({}, {"q": "clinic"}, {"q": "gardening"}, {"q": "speech"}, {"q": "abuse"},
                   {"hub": "west"}, {"hub": "east"}, {"need": "money-debt"}, {"q": "cllinic"}):
        assert search_ids(folders["index"], **params) == search_ids(rebuilt, **params), params
    live = open_database(ReleaseStore(folders["index"]).current().path / "directory.db")
    fresh = open_database(ReleaseStore(rebuilt).current().path / "directory.db")
    for table in ("services", "service_hubs", "service_needs", "service_age_bands", "venues",
                  "service_translations", "venue_translations"):
        query = f"select * from [{table}] order by 1, 2"
        assert [tuple(row) for row in live.execute(query)] == [tuple(row) for row in fresh.execute(query)]


def test_changing_anything_but_services_rebuilds(published, content_dir, folders):
    hub = content_dir / "hubs" / "west.md"
    hub.write_text(hub.read_text().replace("West Hub", "Western Hub"), encoding="utf-8")
    write_service(content_dir, service("gardening-club"))
    assert publish(content_dir, folders["index"], processes=1).manifest["built"] == "full"
