"""A publish cannot quietly empty the live site: a lost or half-copied content folder stops it.

A publish that would drop all the live services, or more than EARLYHELP_MAX_SHRINK percent
(50 by default) of them, stops with a clear message and changes nothing, unless
``earlyhelp publish --allow-shrink``; the editor's publishing (every approved change) can
never allow it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from app.content import load_content
from app.content.writing import render_entry
from app.editorial.publishing import Author, PublishFailed, write_and_publish
from app.publishing.publish import ShrinkRefused, check_shrink, publish
from app.publishing.releases import ReleaseStore

from .factories import service, write_content


def _site(folders, count: int = 4):
    content = write_content(folders["content"], [service(f"group-{number}") for number in range(count)])
    publish(content, folders["index"])
    return content


def _publish_command(folders, *options: str, **environment: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app", "publish", "--content", str(folders["content"]),
                           "--index", str(folders["index"]), *options], capture_output=True, text=True,
                          env={**os.environ, **environment})


def _live_services(folders) -> int:
    return ReleaseStore(folders["index"]).current().counts["services"]


def test_a_missing_services_folder_is_an_error_not_an_empty_directory(folders):
    content = _site(folders)
    shutil.rmtree(content / "services")
    problems = [str(problem) for problem in load_content(content).errors]
    assert any("services:1: (folder): services folder not found" in problem for problem in problems), problems
    run = subprocess.run([sys.executable, "-m", "app", "check", "--content", str(content)],
                         capture_output=True, text=True)
    assert run.returncode == 1 and "services folder not found" in run.stdout


def test_an_empty_services_folder_stops_the_publish_and_the_live_site_stays(folders):
    content = _site(folders)
    before = ReleaseStore(folders["index"]).current_id()
    for path in (content / "services").iterdir():
        path.unlink()
    run = _publish_command(folders)
    assert run.returncode == 1
    assert "this would publish 0 services where 4 are live" in run.stderr
    assert "--allow-shrink" in run.stderr and "The live site is unchanged" in run.stderr
    assert ReleaseStore(folders["index"]).current_id() == before and _live_services(folders) == 4


def test_allow_shrink_publishes_the_smaller_site(folders):
    content = _site(folders)
    for number in range(3):
        (content / "services" / f"group-{number}.md").unlink()
    run = _publish_command(folders, "--allow-shrink")
    assert run.returncode == 0, run.stderr
    assert _live_services(folders) == 1


def test_dropping_half_is_allowed_and_more_than_half_is_not(folders):
    content = _site(folders)
    for number in range(2):
        (content / "services" / f"group-{number}.md").unlink()
    publish(content, folders["index"])  # 4 -> 2: half
    assert _live_services(folders) == 2
    (content / "services" / "group-2.md").unlink()
    with pytest.raises(ShrinkRefused, match="1 services where 2 are live: 1 \\(50%\\)"):
        publish(content, folders["index"], max_shrink=0.4)
    assert _live_services(folders) == 2
    publish(content, folders["index"])  # 2 -> 1: half, within the default
    assert _live_services(folders) == 1


def test_the_share_comes_from_the_environment(folders):
    content = _site(folders)
    (content / "services" / "group-0.md").unlink()  # 4 -> 3: a quarter
    run = _publish_command(folders, EARLYHELP_MAX_SHRINK="20")
    assert run.returncode == 1 and "more than the 20% allowed" in run.stderr
    assert _publish_command(folders, EARLYHELP_MAX_SHRINK="30").returncode == 0


def test_archiving_or_drafting_counts_as_dropping(folders):
    content = _site(folders, count=2)
    for number in range(2):
        (content / "services" / f"group-{number}.md").write_text(
            render_entry(service(f"group-{number}", status="archived"), "Archived."), encoding="utf-8")
    with pytest.raises(ShrinkRefused):
        publish(content, folders["index"])


@pytest.mark.parametrize(("live", "new", "max_shrink", "refused"), [
    (0, 0, 0.5, False), (1, 0, 1.0, True), (10, 0, 0.9, True), (10, 5, 0.5, False), (10, 4, 0.5, True),
    (10, 12, 0.0, False), (3, 2, 0.5, False), (3, 1, 0.5, True),
])
def test_check_shrink(live, new, max_shrink, refused):
    if refused:
        with pytest.raises(ShrinkRefused):
            check_shrink(live, new, max_shrink)
    else:
        check_shrink(live, new, max_shrink)


def test_the_editor_cannot_shrink_the_site_either(folders):
    content = _site(folders, count=1)
    before = (content / "services" / "group-0.md").read_bytes()
    archived = render_entry(service("group-0", status="archived"), "Archived.")
    with pytest.raises(PublishFailed) as failure:
        write_and_publish(content, folders["index"], {"services/group-0.md": archived},
                          author=Author("Edie", "edie@example.org"), message="Archive the last service")
    problems = failure.value.problems
    assert any("this would publish 0 services where 1 are live" in problem for problem in problems), problems
    assert (content / "services" / "group-0.md").read_bytes() == before
    assert _live_services(folders) == 1
