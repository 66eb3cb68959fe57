"""Writing entry files and publishing them as one step: all of it, or none of it."""

from __future__ import annotations

import subprocess

import pytest

from app.content.writing import render_entry
from app.editorial.publishing import Author, PublishFailed, write_and_publish
from app.publishing.publish import publish
from app.publishing.releases import ReleaseStore
from app.release.reader import open_database

from ..factories import service, write_content

EDITOR = Author("Edie Editor", "edie@example.org")


@pytest.fixture
def site(tmp_path):
    content = write_content(tmp_path / "content", [service("parenting-group", title="Parenting group")])
    publish(content, tmp_path / "index", processes=1)
    return content, tmp_path / "index"


def live_titles(index) -> list[str]:
    release = ReleaseStore(index).get(ReleaseStore(index).current_id())
    return [row[0] for row in open_database(release.path / "directory.db").execute(
        "SELECT title FROM services ORDER BY title")]


def test_a_good_change_is_written_and_published(site):
    content, index = site
    text = render_entry(service("parenting-group", title="Parenting group (Tuesdays)"), "What happens.")
    before = ReleaseStore(index).current_id()
    published = write_and_publish(content, index, {"services/parenting-group.md": text}, author=EDITOR,
                                   message="Update parenting-group")
    assert published.release_id != before and published.commit is None
    assert (content / "services/parenting-group.md").read_text() == text
    assert live_titles(index) == ["Parenting group (Tuesdays)"]


def test_a_failed_publish_puts_every_file_back_and_keeps_the_live_release(site):
    content, index = site
    original = (content / "services/parenting-group.md").read_bytes()
    bad = render_entry(service("parenting-group", needs=["no-such-need"]), "What happens.")
    new = render_entry(service("new-group", title="New group"), "What happens.")
    before = ReleaseStore(index).current_id()
    with pytest.raises(PublishFailed) as failure:
        write_and_publish(content, index, {"services/parenting-group.md": bad, "services/new-group.md": new},
                          author=EDITOR, message="Two changes")
    assert any("unknown need 'no-such-need'" in problem for problem in failure.value.problems)
    assert (content / "services/parenting-group.md").read_bytes() == original
    assert not (content / "services/new-group.md").exists()
    assert ReleaseStore(index).current_id() == before
    assert live_titles(index) == ["Parenting group"]


def test_paths_outside_the_content_folder_are_refused(site):
    content, index = site
    with pytest.raises(ValueError):
        write_and_publish(content, index, {"../escape.md": "x"}, author=EDITOR, message="no")


def test_when_content_is_a_git_repository_the_change_is_committed_by_the_editor(site):
    content, index = site
    subprocess.run(["git", "init", "-q", str(content)], check=True)
    subprocess.run(["git", "-C", str(content), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(content), "-c", "user.name=Setup", "-c", "user.email=setup@example.org",
                    "commit", "-qm", "Start"], check=True)
    text = render_entry(service("parenting-group", title="Parenting group (moved)"), "What happens.")
    published = write_and_publish(content, index, {"services/parenting-group.md": text}, author=EDITOR,
                                  message="Move the parenting group")
    log = subprocess.run(["git", "-C", str(content), "log", "-1", "--format=%H|%an|%ae|%s"], check=True,
                         capture_output=True, text=True).stdout.strip()
    assert log == f"{published.commit}|Edie Editor|edie@example.org|Move the parenting group"
