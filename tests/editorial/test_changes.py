"""The change workflow's domain rules (app/editorial/changes.py): every transition for every role,
conflicts, a failed publish, history and restoring, each step in the audit log."""

from __future__ import annotations

import subprocess

import pytest

from app.editorial import audit, changes, diffs, instance_settings, publishing
from app.editorial.changes import ChangeError
from app.editorial.publishing import PublishFailed

from .changes_helpers import OTHER, OWN, live_release, live_title


@pytest.fixture
def site(workflow_site):
    return workflow_site


@pytest.fixture
def users(workflow_users):
    return workflow_users


def live(content, service_id=OWN):
    return changes.read_live(content, "service", service_id)


def propose(db, content, user, service_id=OWN, **overrides):
    """A draft change to the live service with ``overrides`` applied to its fields."""
    entry = live(content, service_id)
    fields = {**entry.fields, **overrides}
    return changes.start(db, content, user, "service", service_id, fields=fields, body=entry.body)


def submitted(db, content, user, service_id=OWN, **overrides):
    change = propose(db, content, user, service_id, **overrides)
    return changes.submit(db, content, change.id, user)


def actions_for(db, subject):
    return [entry.action for entry in reversed(audit.entries(db, subject=subject))]


# -- who may propose -----------------------------------------------------------------------------

def test_a_provider_proposes_changes_to_its_own_organisations_services_only(db, site, users):
    content, _ = site
    change = propose(db, content, users["provider"], title="Parenting group (Tuesdays)")
    assert change.status == changes.DRAFT and change.organisation == "test-org"
    assert change.base_sha256 == live(content).sha256
    with pytest.raises(ChangeError) as refused:
        propose(db, content, users["provider"], OTHER, title="Not mine")
    assert refused.value.code == "not_allowed"
    with pytest.raises(ChangeError) as moved:  # nor hand its own service to another organisation
        propose(db, content, users["provider"], organisation="other-org")
    assert moved.value.code == "not_allowed"
    with pytest.raises(ChangeError):  # nor add a service for another organisation
        changes.start(db, content, users["provider"], "service", "new-one",
                      fields={"organisation": "other-org"}, body="", action=changes.CREATE)


@pytest.mark.parametrize("role", ["editor", "publisher", "admin"])
def test_editors_publishers_and_admins_may_propose_changes_to_any_service(db, site, users, role):
    content, _ = site
    for service_id in (OWN, OTHER):
        assert propose(db, content, users[role], service_id, title="Changed").status == changes.DRAFT


def test_a_provider_submits_its_own_draft_and_an_editor_may_submit_someone_elses(db, site, users):
    content, _ = site
    first = propose(db, content, users["provider"], title="A")
    mine = changes.submit(db, content, first.id, users["provider"])
    assert mine.status == changes.IN_REVIEW and mine.submitted_at
    draft = propose(db, content, users["provider"], title="B")
    with pytest.raises(ChangeError):
        changes.submit(db, content, draft.id, users["other_provider"])  # cannot even see it
    assert changes.submit(db, content, draft.id, users["editor"]).status == changes.IN_REVIEW


def test_only_the_author_edits_a_draft(db, site, users):
    content, _ = site
    draft = propose(db, content, users["editor"], title="Mine")
    with pytest.raises(ChangeError) as refused:
        changes.save(db, draft.id, users["editor2"], fields=draft.fields, body="Theirs")
    assert refused.value.code == "not_editable"
    saved = changes.save(db, draft.id, users["editor"], fields={**draft.fields, "title": "Mine again"},
                         body="New body")
    assert saved.title == "Mine again" and saved.body == "New body" and saved.status == changes.DRAFT


def test_a_change_with_problems_cannot_be_submitted(db, site, users):
    content, _ = site
    draft = propose(db, content, users["editor"], summary="x" * 201, needs=["no-such-need"])
    with pytest.raises(ChangeError) as refused:
        changes.submit(db, content, draft.id, users["editor"])
    assert refused.value.code == "invalid"
    assert {problem.field for problem in refused.value.problems} == {"summary", "needs[0]"}
    assert changes.get_change(db, draft.id).status == changes.DRAFT


# -- review -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["provider", "editor"])
def test_providers_and_editors_cannot_approve_or_return(db, site, users, role):
    content, index = site
    change = submitted(db, content, users["editor2"], title="Changed")
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users[role])
    assert refused.value.code == "not_reviewable"
    with pytest.raises(ChangeError):
        changes.return_change(db, change.id, users[role], "No")


@pytest.mark.parametrize("role", ["publisher", "admin"])
def test_publishers_and_admins_cannot_approve_their_own_change(db, site, users, role):
    content, index = site
    change = submitted(db, content, users[role], title="My own change")
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users[role])
    assert refused.value.code == "own_change"
    with pytest.raises(ChangeError):
        changes.return_change(db, change.id, users[role], "Returning my own")
    assert changes.get_change(db, change.id).status == changes.IN_REVIEW
    assert live_title(index, OWN) == "Parenting group"


def allow_self_approval(db, allowed=True):
    instance_settings.put(db, changes.SELF_APPROVAL, allowed, actor="admin@example.org")


def test_self_approval_is_off_by_default(db, site, users):
    content, index = site
    assert changes.self_approval_allowed(db) is False
    change = submitted(db, content, users["admin"], title="My own change")
    assert not changes.may_self_approve(db, users["admin"], change)
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users["admin"])
    assert refused.value.code == "own_change"
    assert live_title(index, OWN) == "Parenting group"


def test_with_self_approval_on_an_admin_publishes_their_own_change_recorded_as_self_approved(db, site, users):
    content, index = site
    allow_self_approval(db)
    admin = users["admin"]
    change = submitted(db, content, admin, title="Parenting group (small team)")
    assert changes.may_self_approve(db, admin, change)
    approved = changes.approve(db, content, index, change.id, admin)
    assert approved.status == changes.PUBLISHED and approved.reviewer_email == admin.email
    assert live_title(index, OWN) == "Parenting group (small team)"
    assert actions_for(db, OWN)[-1] == "change.self_approved"
    [entry] = audit.entries(db, action="change.self_approved")
    assert entry.actor == admin.email and entry.details["self_approved"] is True
    assert entry.details["change"] == change.id
    assert "change.self_approved" in audit.actions(db)  # a choice in the audit page's filter
    # Another admin's approval of someone else's change is still an ordinary approval.
    other = submitted(db, content, users["editor"], OTHER, title="Other service, checked")
    changes.approve(db, content, index, other.id, admin)
    assert actions_for(db, OTHER)[-1] == "change.approved"


@pytest.mark.parametrize("role", ["publisher", "editor", "provider"])
def test_self_approval_is_for_admins_only(db, site, users, role):
    content, index = site
    allow_self_approval(db)
    change = submitted(db, content, users[role], title="My own change")
    assert not changes.may_self_approve(db, users[role], change)
    with pytest.raises(ChangeError):
        changes.approve(db, content, index, change.id, users[role])
    assert changes.get_change(db, change.id).status == changes.IN_REVIEW
    assert live_title(index, OWN) == "Parenting group"


def test_switching_self_approval_off_again_needs_a_second_person_again(db, site, users):
    content, index = site
    allow_self_approval(db)
    allow_self_approval(db, False)
    change = submitted(db, content, users["admin"], title="My own change")
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users["admin"])
    assert refused.value.code == "own_change"
    switched = [entry.details for entry in audit.entries(db, action="setting.changed")]
    assert switched == [{"before": True, "after": False}, {"before": False, "after": True}]


def test_the_whole_loop_propose_submit_return_edit_resubmit_approve(db, site, users):
    content, index = site
    provider, publisher = users["provider"], users["publisher"]
    change = submitted(db, content, provider, title="Parenting group (Tuesdays)")
    with pytest.raises(ChangeError) as no_comment:
        changes.return_change(db, change.id, publisher, "  ")
    assert no_comment.value.code == "comment_required"
    returned = changes.return_change(db, change.id, publisher, "Say which Tuesdays, please.")
    assert returned.status == changes.RETURNED and returned.comment == "Say which Tuesdays, please."
    with pytest.raises(ChangeError):  # returned is not in review
        changes.approve(db, content, index, change.id, publisher)
    changes.save(db, change.id, provider,
                 fields={**returned.fields, "title": "Parenting group (every Tuesday)"},
                 body="What happens on Tuesdays.")
    changes.submit(db, content, change.id, provider)
    before = live_release(index)
    approved = changes.approve(db, content, index, change.id, publisher)
    assert approved.status == changes.PUBLISHED and approved.reviewer_email == publisher.email
    assert approved.release_id == live_release(index) != before
    assert live_title(index, OWN) == "Parenting group (every Tuesday)"
    assert live(content).body == "What happens on Tuesdays."
    assert actions_for(db, OWN) == ["change.created", "change.submitted", "change.returned", "change.saved",
                                    "change.submitted", "change.approved"]


def test_a_new_service_and_archiving_go_through_review(db, site, users):
    content, index = site
    fields = {**live(content).fields, "title": "Brand new group"}
    created = changes.start(db, content, users["editor"], "service", "brand-new", fields=fields, body="New.",
                            action=changes.CREATE)
    assert created.base_sha256 is None and created.fields["id"] == "brand-new"
    changes.submit(db, content, created.id, users["editor"])
    changes.approve(db, content, index, created.id, users["publisher"])
    assert live_title(index, "brand-new") == "Brand new group"
    with pytest.raises(ChangeError) as exists:
        changes.start(db, content, users["editor"], "service", "brand-new", fields=fields, body="",
                      action=changes.CREATE)
    assert exists.value.code == "exists"

    entry = live(content, "brand-new")
    archive = changes.start(db, content, users["editor"], "service", "brand-new", fields=entry.fields,
                            body=entry.body, action=changes.ARCHIVE)
    assert archive.fields["status"] == "archived"
    changes.submit(db, content, archive.id, users["editor"])
    changes.approve(db, content, index, archive.id, users["admin"])
    assert live(content, "brand-new").fields["status"] == "archived"
    assert live_title(index, "brand-new") is None  # archived services are not published


def test_withdrawing_keeps_the_change_on_record(db, site, users):
    content, _ = site
    change = submitted(db, content, users["editor"], title="Never mind")
    with pytest.raises(ChangeError):
        changes.withdraw(db, change.id, users["editor2"])
    assert changes.withdraw(db, change.id, users["editor"]).status == changes.WITHDRAWN
    assert changes.list_changes(db) == []


# -- conflicts and failures ----------------------------------------------------------------------------

def test_two_editors_editing_one_entry_the_second_approval_is_refused_as_a_conflict(db, site, users):
    content, index = site
    first = submitted(db, content, users["editor"], title="First editor's title")
    second = submitted(db, content, users["editor2"], summary="Second editor's summary.")
    changes.approve(db, content, index, first.id, users["publisher"])
    after_first = live(content)
    with pytest.raises(ChangeError) as conflict:
        changes.approve(db, content, index, second.id, users["publisher"])
    assert conflict.value.code == "conflict"
    assert conflict.value.details["live"].sha256 == after_first.sha256
    # Nothing was overwritten: the first editor's title is live, the second change waits in review.
    assert live(content).text == after_first.text
    assert live_title(index, OWN) == "First editor's title"
    assert changes.get_change(db, second.id).status == changes.IN_REVIEW
    assert "change.conflict" in actions_for(db, OWN)
    # What the second editor would overwrite is shown against the version they started from.
    base_text = changes.get_change(db, second.id).base_text
    shown = diffs.text_diff(base_text, changes.conflict(content, second).text)
    assert [(row.field, row.new) for row in shown.fields] == [("title", "First editor's title")]

    # The author sees the conflict, takes the live entry as the base on purpose, and it can be approved.
    changes.return_change(db, second.id, users["publisher"], "Someone changed the title meanwhile")
    rebased = changes.rebase(db, content, second.id, users["editor2"])
    assert rebased.base_sha256 == after_first.sha256
    changes.save(db, second.id, users["editor2"],
                 fields={**rebased.fields, "title": "First editor's title"}, body=rebased.body)
    changes.submit(db, content, second.id, users["editor2"])
    changes.approve(db, content, index, second.id, users["publisher"])
    assert live(content).fields["summary"] == "Second editor's summary."
    assert live(content).fields["title"] == "First editor's title"


def test_a_file_changed_by_hand_since_editing_began_is_a_conflict_too(db, site, users):
    content, index = site
    change = submitted(db, content, users["editor"], title="From the editor")
    path = content / "services" / f"{OWN}.md"
    path.write_text(path.read_text().replace("What happens.", "Edited by hand."))
    with pytest.raises(ChangeError) as conflict:
        changes.approve(db, content, index, change.id, users["publisher"])
    assert conflict.value.code == "conflict"
    assert "Edited by hand." in path.read_text()


def test_a_conflict_found_under_the_publish_lock_is_refused_before_writing(db, site, users, monkeypatch):
    # Another approval lands between approve's own check and the lock: write_and_publish checks again.
    content, index = site
    change = submitted(db, content, users["editor"], title="Mine")
    monkeypatch.setattr(changes, "conflict", lambda content_dir, change: False)
    path = content / "services" / f"{OWN}.md"
    path.write_text(path.read_text().replace("What happens.", "Someone else's words."))
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users["publisher"])
    assert refused.value.code == "conflict"
    assert "Someone else's words." in path.read_text()


def test_a_failed_publish_leaves_the_live_release_and_the_change_in_review_with_the_error(
        db, site, users, monkeypatch):
    content, index = site
    change = submitted(db, content, users["editor"], title="Will not publish")
    original = (content / "services" / f"{OWN}.md").read_bytes()
    before = live_release(index)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(publishing, "publish", broken)
    with pytest.raises(PublishFailed):
        changes.approve(db, content, index, change.id, users["publisher"])
    kept = changes.get_change(db, change.id)
    assert kept.status == changes.IN_REVIEW and kept.title == "Will not publish"
    assert kept.publish_error == ["OSError: disk full"]
    assert (content / "services" / f"{OWN}.md").read_bytes() == original
    assert live_release(index) == before and live_title(index, OWN) == "Parenting group"
    assert changes.versions(db, "service", OWN) == []
    assert actions_for(db, OWN)[-1] == "change.publish_failed"

    monkeypatch.undo()  # the disk has room again: the same change publishes, and the error is cleared
    published = changes.approve(db, content, index, change.id, users["publisher"])
    assert published.status == changes.PUBLISHED and published.publish_error == []


def test_content_broken_elsewhere_fails_the_publish_and_keeps_the_change(db, site, users):
    content, index = site
    change = submitted(db, content, users["editor"], title="Fine on its own")
    # Another entry (not this change) is broken in the folder: publishing checks everything.
    other = content / "services" / f"{OTHER}.md"
    other.write_text(other.read_text().replace("needs:\n- parenting", "needs:\n- no-such-need"))
    with pytest.raises(PublishFailed) as failure:
        changes.approve(db, content, index, change.id, users["publisher"])
    assert any("unknown need 'no-such-need'" in problem for problem in failure.value.problems)
    assert changes.get_change(db, change.id).publish_error == failure.value.problems
    assert live(content).fields["title"] == "Parenting group"


def test_approving_rechecks_the_entry(db, site, users):
    content, index = site
    change = submitted(db, content, users["editor"], needs=["money-debt"])
    needs = content / "taxonomy" / "needs.yml"
    needs.write_text(needs.read_text().replace("id: money-debt", "id: money"))  # the need was renamed since
    with pytest.raises(ChangeError) as refused:
        changes.approve(db, content, index, change.id, users["publisher"])
    assert refused.value.code == "invalid"
    assert [problem.field for problem in refused.value.problems] == ["needs[0]"]


# -- history -----------------------------------------------------------------------------------------

def test_history_keeps_every_version_and_restoring_is_itself_reviewed(db, site, users):
    content, index = site
    original = live(content)
    first = submitted(db, content, users["editor"], title="Version two")
    changes.approve(db, content, index, first.id, users["publisher"])
    second = submitted(db, content, users["provider"], title="Version three")
    changes.approve(db, content, index, second.id, users["publisher"])

    versions = changes.versions(db, "service", OWN)
    assert [version.change_id for version in versions] == [second.id, first.id, None]
    assert versions[-1].text == original.text and versions[-1].outside_editor
    assert (versions[0].author, versions[0].approver) == (users["provider"].email, users["publisher"].email)
    assert versions[0].sha256 == live(content).sha256
    step = diffs.text_diff(versions[1].text, versions[0].text)
    assert [(row.field, row.old, row.new) for row in step.fields] == [
        ("title", "Version two", "Version three")]

    with pytest.raises(ChangeError) as already:
        changes.restore(db, content, versions[0].id, users["editor"])
    assert already.value.code == "already_live"
    with pytest.raises(ChangeError):
        changes.restore(db, content, versions[-1].id, users["other_provider"])
    restoring = changes.restore(db, content, versions[-1].id, users["editor"])
    assert restoring.status == changes.IN_REVIEW and restoring.action == changes.RESTORE
    assert restoring.restored_from == versions[-1].id
    assert live_title(index, OWN) == "Version three"  # nothing happens until it is approved
    changes.approve(db, content, index, restoring.id, users["publisher"])
    # The same fields and body (written in the editor's layout of front matter).
    assert (live(content).fields, live(content).body) == (original.fields, original.body)
    assert live_title(index, OWN) == "Parenting group"
    assert len(changes.versions(db, "service", OWN)) == 4


def test_history_cannot_be_rewritten(db, site, users):
    content, index = site
    changes.approve(db, content, index, submitted(db, content, users["editor"], title="New").id,
                    users["publisher"])
    with pytest.raises(Exception, match="append-only"):
        db.execute("UPDATE history SET author = 'someone else'")
    with pytest.raises(Exception, match="append-only"):
        db.execute("DELETE FROM history")


def test_approving_commits_to_a_content_git_repository_with_the_editor_as_author(db, site, users):
    content, index = site
    subprocess.run(["git", "init", "-q", str(content)], check=True)
    subprocess.run(["git", "-C", str(content), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(content), "-c", "user.name=Setup", "-c", "user.email=setup@example.org",
                    "commit", "-qm", "Start"], check=True)
    change = submitted(db, content, users["editor"], title="Committed")
    approved = changes.approve(db, content, index, change.id, users["publisher"])
    log = subprocess.run(["git", "-C", str(content), "log", "-1", "--format=%H|%ae|%s"], check=True,
                         capture_output=True, text=True).stdout.strip()
    commit, author, subject = log.split("|")
    assert commit == approved.git_commit and author == users["editor"].email
    assert "approved by publisher@example.org" in subject
    assert changes.versions(db, "service", OWN)[0].git_commit == commit


# -- diffs --------------------------------------------------------------------------------------------

def test_the_diff_lists_changed_fields_in_the_formats_order_and_the_body_as_a_unified_diff():
    old = {"id": "x", "title": "Old", "needs": ["parenting"], "contact": {"phone": "020 7946 0210"},
           "free": True}
    new = {"id": "x", "title": "New", "needs": ["parenting", "money-debt"],
           "contact": {"phone": "020 7946 0210", "email": "a@example.org"}, "free": True, "cost": ""}
    diff = diffs.diff(old, "Line one.\nLine two.", new, "Line one.\nLine 2.")
    assert [row.field for row in diff.fields] == ["title", "needs", "contact"]
    # A mapping is compared key by key: only the email is new.
    assert (diff.fields[2].key, diff.fields[2].old, diff.fields[2].new) == ("email", None, "a@example.org")
    assert "-Line two." in diff.body and "+Line 2." in diff.body
    assert diffs.diff(old, "Same", old, "Same").empty


def test_the_diff_ignores_empty_groups_and_the_order_of_checkbox_lists():
    old = {"id": "x", "delivery": ["phone", "online"], "needs": ["a", "b"]}
    new = {"id": "x", "delivery": ["online", "phone"], "needs": ["b", "a"],
           "evidence": {"rating": "", "source": "", "url": ""}, "contact": {"phone": ""}}
    assert diffs.diff(old, "", new, "").empty
