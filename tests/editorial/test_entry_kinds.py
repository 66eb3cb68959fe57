"""Organisations, hubs and pages go through the same change workflow as services (app/editorial/changes.py
with app/editorial/kinds.py): who may propose, checking with check's rules, approving, archiving (removing
the file), history and restoring, conflicts and failed publishes."""

from __future__ import annotations

import pytest

from app.editorial import changes, content_cache, diffs, publishing
from app.editorial.changes import ChangeError
from app.editorial.publishing import PublishFailed
from app.publishing.releases import ReleaseStore
from app.release.reader import open_database

from .changes_helpers import live_release


@pytest.fixture
def site(workflow_site):
    return workflow_site


@pytest.fixture
def users(workflow_users):
    return workflow_users


def propose(db, content, user, kind, entry_id, action=changes.EDIT, **overrides):
    entry = changes.read_live(content, kind, entry_id)
    return changes.start(db, content, user, kind, entry_id, fields={**entry.fields, **overrides},
                         body=entry.body, action=action)


def release_rows(index, table, column, key):
    store = ReleaseStore(index)
    row = open_database(store.get(store.current_id()).path / "directory.db").execute(
        f"SELECT {column} FROM {table} WHERE id = ?", [key]).fetchone()
    return row[0] if row else None


# -- who may propose ----------------------------------------------------------------------------------

def test_a_provider_may_edit_its_own_organisation_entry_only_and_not_add_or_archive_one(db, site, users):
    content, _ = site
    provider = users["provider"]
    change = propose(db, content, provider, "organisation", "test-org", name="Test Organisation CIC")
    assert change.organisation == "test-org" and change.kind == "organisation"
    for entry_id, action in (("other-org", changes.EDIT), ("test-org", changes.ARCHIVE)):
        with pytest.raises(ChangeError) as refused:
            propose(db, content, provider, "organisation", entry_id, action=action)
        assert refused.value.code == "not_allowed"
    with pytest.raises(ChangeError):
        changes.start(db, content, provider, "organisation", "new-org", fields={"name": "New"}, body="",
                      action=changes.CREATE)


@pytest.mark.parametrize("kind, entry_id", [("hub", "west"), ("page", "about")])
def test_hubs_and_pages_are_for_editors_publishers_and_admins_only(db, site, users, kind, entry_id):
    content, _ = site
    with pytest.raises(ChangeError) as refused:
        propose(db, content, users["provider"], kind, entry_id)
    assert refused.value.code == "not_allowed"
    for role in ("editor", "publisher", "admin"):
        assert changes.may_propose(users[role], None, kind, changes.CREATE)
    assert propose(db, content, users["editor"], kind, entry_id).status == changes.DRAFT


def test_a_provider_sees_changes_to_its_own_organisation_entry(db, site, users):
    content, _ = site
    change = propose(db, content, users["editor"], "organisation", "test-org", name="Renamed")
    assert changes.may_see(users["provider"], change)
    assert not changes.may_see(users["other_provider"], change)
    hub_change = propose(db, content, users["editor"], "hub", "west", name="West Hub (new)")
    assert not changes.may_see(users["provider"], hub_change)


# -- checking and publishing --------------------------------------------------------------------------

def test_each_kind_is_checked_with_checks_own_rules(db, site, users):
    content, _ = site
    editor = users["editor"]
    bad_hub = propose(db, content, editor, "hub", "west", postcode="not a postcode", covers=["N22"], email="",
                      phone="")
    problems = {problem.field: problem.message for problem in changes.check_change(content, bad_hub)}
    assert "postcode" in problems
    assert problems["covers[0]"].startswith("'N22' is also covered by hub 'east'")
    assert "phone" in problems  # a hub needs a phone or an email
    bad_org = propose(db, content, editor, "organisation", "test-org", website="javascript:alert(1)")
    assert [problem.field for problem in changes.check_change(content, bad_org)] == ["website"]
    bad_page = propose(db, content, editor, "page", "about", title="")
    assert [problem.field for problem in changes.check_change(content, bad_page)] == ["title"]
    with pytest.raises(ChangeError) as refused:
        changes.submit(db, content, bad_page.id, editor)
    assert refused.value.code == "invalid"


@pytest.mark.parametrize("kind, entry_id, field, value, table, column", [
    ("organisation", "test-org", "name", "Test Organisation CIC", "organisations", "name"),
    ("hub", "west", "name", "West Family Hub", "hubs", "name"),
])
def test_approving_an_organisation_or_hub_change_writes_the_file_and_publishes_it(
        db, site, users, kind, entry_id, field, value, table, column):
    content, index = site
    change = propose(db, content, users["editor"], kind, entry_id, **{field: value})
    changes.submit(db, content, change.id, users["editor"])
    published = changes.approve(db, content, index, change.id, users["publisher"])
    assert published.status == changes.PUBLISHED and published.release_id == live_release(index)
    assert changes.read_live(content, kind, entry_id).fields[field] == value
    assert release_rows(index, table, column, entry_id) == value
    versions = changes.versions(db, kind, entry_id)
    assert [version.change_id for version in versions] == [change.id, None]  # the hand-written one kept


def test_a_page_change_keeps_the_page_without_an_id_field(db, site, users):
    content, index = site
    entry = changes.read_live(content, "page", "about")
    change = changes.start(db, content, users["editor"], "page", "about",
                           fields={**entry.fields, "summary": "Who runs this directory."},
                           body="## Who we are\n\nThe council.")
    changes.submit(db, content, change.id, users["editor"])
    changes.approve(db, content, index, change.id, users["publisher"])
    text = (content / "pages" / "about.md").read_text()
    assert text.startswith("---\ntitle: About\nsummary: Who runs this directory.\n---\n")
    assert "id:" not in text


def test_archiving_a_hub_still_used_by_services_is_refused(db, site, users):
    content, _ = site
    change = propose(db, content, users["editor"], "hub", "west", action=changes.ARCHIVE)
    assert change.removes_file
    with pytest.raises(ChangeError) as refused:
        changes.submit(db, content, change.id, users["editor"])
    assert refused.value.code == "invalid"
    assert "still used by 2 service(s): other-service, parenting-group" in refused.value.problems[0].message


def test_archiving_removes_an_unused_entry_and_restoring_brings_it_back_through_review(db, site, users):
    content, index = site
    hub_file = content / "hubs" / "east.md"
    original = hub_file.read_text()
    change = propose(db, content, users["editor"], "hub", "east", action=changes.ARCHIVE)
    changes.submit(db, content, change.id, users["editor"])
    changes.approve(db, content, index, change.id, users["publisher"])
    assert not hub_file.exists() and release_rows(index, "hubs", "name", "east") is None
    removed, before = changes.versions(db, "hub", "east")
    assert removed.text is None and before.text == original
    assert diffs.text_diff(before.text, removed.text, "hub").fields  # every field goes

    restoring = changes.restore(db, content, before.id, users["editor2"])
    assert restoring.status == changes.IN_REVIEW and restoring.base_sha256 is None
    changes.approve(db, content, index, restoring.id, users["publisher"])
    assert release_rows(index, "hubs", "name", "east") == "East Hub"
    with pytest.raises(ChangeError):  # a version that removed the entry is not restorable: archive it
        changes.restore(db, content, removed.id, users["editor2"])


def test_two_changes_to_one_hub_the_second_approval_is_a_conflict(db, site, users):
    content, index = site
    first = propose(db, content, users["editor"], "hub", "west", name="First")
    second = propose(db, content, users["editor2"], "hub", "west", name="Second")
    others = changes.other_open_changes(db, "hub", "west", besides=first.id)
    assert [other.id for other in others] == [second.id]
    for change, author in ((first, users["editor"]), (second, users["editor2"])):
        changes.submit(db, content, change.id, author)
    changes.approve(db, content, index, first.id, users["publisher"])
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, second.id, users["publisher"])
    assert refused.value.code == "conflict"
    assert changes.read_live(content, "hub", "west").fields["name"] == "First"


@pytest.mark.parametrize("kind, entry_id", [("hub", "west"), ("page", "about")])
def test_a_failed_publish_of_a_hub_or_page_leaves_the_live_release_the_file_and_the_review(
        db, site, users, monkeypatch, kind, entry_id):
    content, index = site
    field = "name" if kind == "hub" else "title"
    path = content / changes.entry_path(kind, entry_id)
    original, before = path.read_bytes(), live_release(index)
    change = propose(db, content, users["editor"], kind, entry_id, **{field: "Will not publish"})
    changes.submit(db, content, change.id, users["editor"])

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publishing, "publish", broken)
    with pytest.raises(PublishFailed):
        changes.approve(db, content, index, change.id, users["publisher"])
    kept = changes.get_change(db, change.id)
    assert kept.status == changes.IN_REVIEW and kept.publish_error == ["OSError: disk full"]
    assert path.read_bytes() == original and live_release(index) == before
    assert changes.versions(db, kind, entry_id) == []


def test_the_reference_content_is_loaded_once_until_a_file_changes(site, monkeypatch):
    content, _ = site
    content_cache.clear()
    loads = []
    real = content_cache.load_content
    monkeypatch.setattr(content_cache, "load_content", lambda *a, **k: loads.append(k) or real(*a, **k))
    on = changes.today()
    first = content_cache.reference_content(content, on)
    assert content_cache.reference_content(content, on) is first and len(loads) == 1
    assert first.services == {} and "west" in first.hubs
    # A service changing does not touch the reference data; a hub changing does.
    (content / "services" / "parenting-group.md").write_text(
        (content / "services" / "parenting-group.md").read_text().replace("Parenting group", "Renamed"))
    assert content_cache.reference_content(content, on) is first
    hub = content / "hubs" / "west.md"
    hub.write_text(hub.read_text().replace("West Hub", "West Family Hub"))
    assert content_cache.reference_content(content, on).hubs["west"].name == "West Family Hub"
    assert len(loads) == 2


def test_a_hub_may_carve_a_sector_out_of_another_hubs_district_as_check_allows(db, site, users):
    content, _ = site
    hub = propose(db, content, users["editor"], "hub", "west", covers=["N22 5"])  # hub 'east' covers N22
    problems = changes.check_change(content, hub)
    assert not [problem for problem in problems if problem.field.startswith("covers")]
