"""The change workflow in the editor's pages: the queue, a change's page, approving and returning, conflicts,
a failed publish, history and restoring, for each role, with CSRF on."""

from __future__ import annotations

import pytest

from app.editorial import changes, publishing

from ..factories import service, write_service
from .changes_helpers import OTHER, OWN, form_data, live_release, live_title
from .helpers import EMAILS, get_editor_page, post_form, sign_in


@pytest.fixture
def client_for(workflow_app):
    """``client_for("editor")``: a client signed in as that account."""
    def make(who: str):
        client = workflow_app.test_client()
        email = EMAILS.get(who) or {"editor2": "editor2@example.org", "publisher2": "publisher2@example.org",
                                    "other_provider": "other-provider@example.org"}[who]
        assert sign_in(client, email).status_code == 303
        return client
    return make


def propose(client, service_id=OWN, action="submit", **fields):
    """Post the edit form of ``service_id``; the change's number."""
    url = f"/editor/services/{service_id}/edit"
    response = post_form(client, url, form_data(action=action, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def approve(client, number):
    return post_form(client, f"/editor/changes/{number}/approve", page_url=f"/editor/changes/{number}")


def text(response) -> str:
    return " ".join(response.get_data(as_text=True).split())


def test_provider_proposes_publisher_approves_and_the_public_page_shows_it(workflow_app, client_for):
    provider = client_for("provider")
    number = propose(provider, title="Parenting group on Tuesdays", body="Come along on **Tuesdays**.")
    page = get_editor_page(provider, f"/editor/changes/{number}")
    assert page.find(id="change-status").get_text() == "In review"
    assert "Parenting group on Tuesdays" in page.find("table", class_="diff-table").get_text()
    assert not page.find(id="approve")  # providers do not approve

    publisher = client_for("publisher")
    page = get_editor_page(publisher, "/editor/changes")
    assert page.find("a", href=f"/editor/changes/{number}")
    page = get_editor_page(publisher, f"/editor/changes/{number}")
    assert page.find(id="approve") and page.find(id="return")
    response = approve(publisher, number)
    assert response.status_code == 303
    assert get_editor_page(publisher, f"/editor/changes/{number}").find(id="change-status").get_text() == \
        "Published"
    public = workflow_app.test_client().get(f"/services/{OWN}")
    assert "Parenting group on Tuesdays" in public.get_data(as_text=True)
    assert "<strong>Tuesdays</strong>" in public.get_data(as_text=True)


def test_a_provider_cannot_open_another_organisations_service_or_its_changes(client_for):
    provider = client_for("provider")
    assert provider.get(f"/editor/services/{OTHER}/edit").status_code == 403
    assert provider.get(f"/editor/services/{OTHER}/history").status_code == 403
    response = post_form(provider, f"/editor/services/{OTHER}/archive", page_url="/editor/services")
    assert response.status_code == 403
    number = propose(client_for("editor"), OTHER, title="Other, changed", organisation="other-org")
    assert provider.get(f"/editor/changes/{number}").status_code == 403
    assert f"/editor/changes/{number}" not in provider.get("/editor/changes").get_data(as_text=True)
    services = get_editor_page(provider, "/editor/services")
    assert services.find("a", href=f"/editor/services/{OWN}/edit")
    assert not services.find("a", href=f"/editor/services/{OTHER}/edit")


def test_a_provider_cannot_move_its_service_to_another_organisation(client_for):
    provider = client_for("provider")
    response = post_form(provider, f"/editor/services/{OWN}/edit", form_data(action="save",
                                                                             organisation="other-org"))
    assert response.status_code == 400
    assert "Choose your own organisation" in text(response)


@pytest.mark.parametrize("role", ["publisher", "admin"])
def test_a_publisher_or_admin_cannot_approve_their_own_change(client_for, workflow_site, role):
    _, index = workflow_site
    client = client_for(role)
    number = propose(client, title="My own")
    page = get_editor_page(client, f"/editor/changes/{number}")
    assert not page.find(id="approve")
    assert "another publisher must review it" in page.get_text()
    response = approve(client, number)
    assert response.status_code == 403
    assert "You cannot approve a change you wrote" in text(response)
    assert live_title(index, OWN) == "Parenting group"


def test_returning_needs_a_comment_and_the_author_sees_it_and_edits_again(client_for):
    editor, publisher = client_for("editor"), client_for("publisher")
    number = propose(editor, title="Needs work")
    page_url = f"/editor/changes/{number}"
    response = post_form(publisher, f"{page_url}/return", {"comment": " "}, page_url=page_url)
    assert response.status_code == 400 and "Say what the author needs to change" in text(response)
    response = post_form(publisher, f"{page_url}/return", {"comment": "Give the days <b>please</b>"},
                         page_url=page_url)
    assert response.status_code == 303
    page = get_editor_page(editor, page_url)
    assert page.find(id="change-status").get_text() == "Returned to its author"
    assert "Give the days <b>please</b>" in page.find(class_="comment").get_text()  # escaped, shown as text
    form = get_editor_page(editor, f"{page_url}/edit")
    assert form.find(id="title")["value"] == "Needs work"
    assert "Give the days" in form.find(class_="comment").get_text()
    response = post_form(editor, f"{page_url}/edit", form_data(action="submit", title="Needs work: Mondays"))
    assert response.status_code == 303
    assert get_editor_page(editor, page_url).find(id="change-status").get_text() == "In review"


def test_editing_a_service_you_already_have_a_draft_of_carries_on_with_the_draft(client_for):
    editor = client_for("editor")
    number = propose(editor, action="save", title="Draft title")
    response = editor.get(f"/editor/services/{OWN}/edit")
    assert response.status_code == 303 and response.headers["Location"] == f"/editor/changes/{number}/edit"
    page = get_editor_page(editor, "/editor/changes")
    assert page.find(id="my-drafts-heading") and page.find("a", href=f"/editor/changes/{number}")
    response = post_form(editor, f"/editor/changes/{number}/submit", page_url=f"/editor/changes/{number}")
    assert response.status_code == 303


def test_two_editors_the_second_approval_is_refused_with_a_clear_message(client_for, workflow_site):
    content, index = workflow_site
    first, second = client_for("editor"), client_for("editor2")
    # Both open the form on the same live version before either is approved.
    first_form = get_editor_page(first, f"/editor/services/{OWN}/edit")
    second_form = get_editor_page(second, f"/editor/services/{OWN}/edit")
    base = first_form.find("input", attrs={"name": "base_sha256"})["value"]
    assert second_form.find("input", attrs={"name": "base_sha256"})["value"] == base
    one = propose(first, title="Title from the first editor", base_sha256=base)
    publisher = client_for("publisher")
    assert approve(publisher, one).status_code == 303
    two = propose(second, summary="Summary from the second editor.", base_sha256=base)
    response = approve(publisher, two)
    assert response.status_code == 409
    page = text(response)
    assert "the live entry has changed since this change began" in page
    assert "Nothing was overwritten" in page
    assert "Title from the first editor" in page  # what was published since is shown
    assert live_title(index, OWN) == "Title from the first editor"
    assert changes.read_live(content, "service", OWN).fields["summary"] != "Summary from the second editor."
    # The author sees the conflict on the change page and can start from the live entry.
    post_form(publisher, f"/editor/changes/{two}/return", {"comment": "Conflict"},
              page_url=f"/editor/changes/{two}")
    page = get_editor_page(second, f"/editor/changes/{two}")
    assert page.find(id="conflict")
    response = post_form(second, f"/editor/changes/{two}/rebase", page_url=f"/editor/changes/{two}")
    assert response.status_code == 303
    assert not get_editor_page(second, f"/editor/changes/{two}").find(id="conflict")


def test_a_failed_publish_shows_the_error_and_keeps_the_change_and_the_live_release(
        client_for, workflow_site, monkeypatch):
    _, index = workflow_site
    number = propose(client_for("editor"), title="Will fail")
    before = live_release(index)

    def broken(*args, **kwargs):
        raise RuntimeError("the index folder is read-only")

    monkeypatch.setattr(publishing, "publish", broken)
    publisher = client_for("publisher")
    response = approve(publisher, number)
    assert response.status_code == 409
    page = text(response)
    assert "Publishing failed, so the live site has not changed" in page
    assert "RuntimeError: the index folder is read-only" in page
    assert live_release(index) == before and live_title(index, OWN) == "Parenting group"
    again = get_editor_page(publisher, f"/editor/changes/{number}")
    assert again.find(id="change-status").get_text() == "In review"
    assert again.find(id="publish") and again.find(id="approve")


def test_history_lists_versions_and_restore_creates_a_change_in_review(client_for, workflow_site):
    _, index = workflow_site
    editor, publisher = client_for("editor"), client_for("publisher")
    approve(publisher, propose(editor, title="Second title"))
    approve(publisher, propose(editor, title="Third title"))
    page = get_editor_page(editor, f"/editor/services/{OWN}/history")
    rows = page.find(id="versions").find("tbody").find_all("tr")
    assert len(rows) == 3 and "(live)" in rows[0].get_text()
    assert "written outside the editor" in rows[2].get_text()
    oldest = rows[2].find("a")["href"]
    version = get_editor_page(editor, oldest)
    assert "This is the first version on record." in version.get_text()
    middle = get_editor_page(editor, rows[1].find("a")["href"])
    assert "Second title" in middle.find("table", class_="diff-table").get_text()
    response = post_form(editor, f"{oldest}/restore", page_url=oldest)
    assert response.status_code == 303
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    change_page = get_editor_page(publisher, f"/editor/changes/{number}")
    assert change_page.find(id="change-status").get_text() == "In review"
    assert "Restore an earlier version" in change_page.get_text()
    assert live_title(index, OWN) == "Third title"
    assert approve(publisher, number).status_code == 303
    assert live_title(index, OWN) == "Parenting group"


def test_archiving_is_proposed_for_review(client_for, workflow_site):
    _, index = workflow_site
    editor = client_for("editor")
    response = post_form(editor, f"/editor/services/{OWN}/archive", page_url="/editor/services")
    assert response.status_code == 303
    number = int(response.headers["Location"].rsplit("/", 1)[1])
    page = get_editor_page(editor, f"/editor/changes/{number}")
    assert page.find(id="change-status").get_text() == "In review"
    assert "archived" in page.find("table", class_="diff-table").get_text()
    assert approve(client_for("publisher"), number).status_code == 303
    assert live_title(index, OWN) is None


def test_the_services_list_searches_by_title_and_shows_changes_under_way(client_for):
    editor = client_for("editor")
    number = propose(editor, action="save", title="Parenting group")
    page = get_editor_page(editor, "/editor/services?q=parent")
    links = [a["href"] for a in page.select("tbody a")]
    assert f"/editor/services/{OWN}/edit" in links and f"/editor/services/{OTHER}/edit" not in links
    assert f"/editor/changes/{number}" in links


def test_the_services_list_pages_in_title_order_and_a_new_file_shows_at_once(workflow_app, client_for):
    content = workflow_app.config["CONTENT_DIR"]
    for number in range(55):
        write_service(content, service(f"group-{number:02d}", title=f"Group {number:02d}"))
    editor = client_for("editor")
    first = get_editor_page(editor, "/editor/services")
    assert "57 entries" in first.get_text()
    titles = [row.find("a").get_text() for row in first.select("tbody tr")]
    assert len(titles) == 50 and titles == sorted(titles, key=str.casefold)
    second = get_editor_page(editor, "/editor/services?page=2")
    more = [row.find("a").get_text() for row in second.select("tbody tr")]
    assert len(more) == 7 and titles[-1].casefold() < more[0].casefold()
    assert get_editor_page(editor, "/editor/services?page=9").select("tbody tr") == second.select("tbody tr")
    write_service(content, service("aardvark-club", title="Aardvark club"))  # as a git pull would
    assert get_editor_page(editor, "/editor/services").find("a", string="Aardvark club")
    provider = get_editor_page(client_for("provider"), "/editor/services")
    assert "57 entries" in provider.get_text()  # test-org's: not other-org's one service
    assert not provider.find("a", href=f"/editor/services/{OTHER}/edit")


def test_a_kind_the_index_does_not_hold_is_listed_from_the_content_folder(client_for, monkeypatch):
    from app.web.editor import entries

    monkeypatch.setattr(entries, "INDEXED_KINDS", ("service",))
    hubs = get_editor_page(client_for("editor"), "/editor/hubs")
    assert hubs.find("a", href="/editor/hubs/west/edit")
    organisations = get_editor_page(client_for("provider"), "/editor/organisations")
    links = [a["href"] for a in organisations.select("tbody a")]
    assert "/editor/organisations/test-org/edit" in links
    assert "/editor/organisations/other-org/edit" not in links


def test_every_transition_is_in_the_audit_log(client_for, db):
    editor, publisher = client_for("editor"), client_for("publisher")
    number = propose(editor, action="save", title="Audited")
    post_form(editor, f"/editor/changes/{number}/submit", page_url=f"/editor/changes/{number}")
    post_form(publisher, f"/editor/changes/{number}/return", {"comment": "Why?"},
              page_url=f"/editor/changes/{number}")
    post_form(editor, f"/editor/changes/{number}/edit", form_data(action="submit", title="Audited again"))
    approve(publisher, number)
    rows = db.execute("SELECT actor, action FROM audit_log WHERE action LIKE 'change.%' "
                      "ORDER BY id").fetchall()
    assert [tuple(row) for row in rows] == [
        (EMAILS["editor"], "change.created"), (EMAILS["editor"], "change.submitted"),
        (EMAILS["publisher"], "change.returned"), (EMAILS["editor"], "change.saved"),
        (EMAILS["editor"], "change.submitted"), (EMAILS["publisher"], "change.approved")]


def test_the_guard_matrix_covers_the_workflows_routes_and_only_reviewers_approve(workflow_app):
    # tests/editorial/test_guard.py walks every /editor/ route for every role; these are among them.
    guards = {rule.endpoint: workflow_app.view_functions[rule.endpoint].editor_roles
              for rule in workflow_app.url_map.iter_rules() if rule.rule.startswith("/editor/")}
    everyone = ("provider", "editor", "publisher", "admin")
    staff = ("editor", "publisher", "admin")
    for endpoint in ("services", "new_service", "edit_service", "archive_service", "service_history",
                     "service_version", "restore_service_version", "changes_queue", "change", "edit_change",
                     "submit_change", "withdraw_change", "rebase_change",
                     # a provider may edit their own organisation's entry, and restore it
                     "organisations", "edit_organisation", "organisation_history", "organisation_version",
                     "restore_organisation_version"):
        assert guards[f"editor.{endpoint}"] == everyone, endpoint
    # ...but not add or archive an organisation, and hubs and pages are the council's alone
    for endpoint in ("new_organisation", "archive_organisation", "hubs", "new_hub", "edit_hub", "archive_hub",
                     "hub_history", "hub_version", "restore_hub_version", "pages", "new_page", "edit_page",
                     "archive_page", "page_history", "page_version", "restore_page_version"):
        assert guards[f"editor.{endpoint}"] == staff, endpoint
    assert guards["editor.approve_change"] == guards["editor.return_change"] == ("publisher", "admin")


# -- small teams: an admin approving their own change, when the site allows it ---------------------------

def test_self_approval_is_an_admins_switch_on_the_settings_page_and_off_by_default(workflow_app, client_for):
    admin = client_for("admin")
    number = propose(admin, title="Parenting group (one-person team)")
    page = get_editor_page(admin, f"/editor/changes/{number}")
    assert not page.find(id="approve")
    assert "another publisher must review it" in text(admin.get(f"/editor/changes/{number}"))
    assert approve(admin, number).status_code == 403

    settings_page = get_editor_page(admin, "/editor/settings")
    box = settings_page.find(id="allow-self-approval")
    assert box is not None and not box.has_attr("checked")
    switched = post_form(admin, "/editor/settings/self-approval", {"allow-self-approval": "1"},
                         page_url="/editor/settings")
    assert switched.status_code == 303
    assert get_editor_page(admin, "/editor/settings").find(id="allow-self-approval").has_attr("checked")

    page = get_editor_page(admin, f"/editor/changes/{number}")
    assert page.find(id="approve") and page.find(id="self-approval-warning")
    assert approve(admin, number).status_code == 303
    assert live_title(workflow_app.config["INDEX_DIR"], OWN) == "Parenting group (one-person team)"
    audit_page = get_editor_page(admin, "/editor/audit?action=change.self_approved")
    assert EMAILS["admin"] in audit_page.get_text() and OWN in audit_page.get_text()
    assert audit_page.find("option", value="change.self_approved")


def test_with_self_approval_on_a_publisher_still_needs_a_second_person(workflow_app, client_for):
    admin = client_for("admin")
    post_form(admin, "/editor/settings/self-approval", {"allow-self-approval": "1"},
              page_url="/editor/settings")
    publisher = client_for("publisher")
    number = propose(publisher, title="My own")
    assert not get_editor_page(publisher, f"/editor/changes/{number}").find(id="approve")
    assert approve(publisher, number).status_code == 403
    # Only an admin may switch it: the route refuses everyone else.
    for who in ("publisher", "editor", "provider"):
        client = client_for(who)
        refused = post_form(client, "/editor/settings/self-approval", {"allow-self-approval": "1"},
                            page_url="/editor/changes")
        assert refused.status_code == 403, who
