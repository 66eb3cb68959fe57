"""Changes in the editor: the queue, one change with its diff, and the steps of review.

The rules (who may do what, conflicts, checking, publishing, history, the
audit log) are in :mod:`app.editorial.changes`; these views turn its refusals
into messages on the page.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import changes as workflow
from ...editorial import diffs
from ...editorial.changes import ChangeError
from ...editorial.kinds import form_from_fields, keep_fields
from ...editorial.publishing import PublishFailed
from . import blueprint, editorial_db, entry_form
from .entries import EVERYONE, field_name, public_url
from .guard import current_user, role_required
from .messages import change_action_label, change_status_label


def _visible_or_404(change_id: int) -> workflow.Change:
    change = workflow.get_change(editorial_db(), change_id)
    if change is None:
        abort(404)
    if not workflow.may_see(current_user(), change):
        abort(403)
    return change


@blueprint.get("/changes")
@role_required(*EVERYONE)
def changes_queue():
    """In review, returned to their authors, my drafts (and, for editors, others' drafts)."""
    user, db = current_user(), editorial_db()
    visible = [change for change in workflow.list_changes(db) if workflow.may_see(user, change)]
    groups = [
        {"id": "in-review", "title": _("Waiting for review"), "empty": _("Nothing is waiting for review."),
         "items": [change for change in visible if change.status == workflow.IN_REVIEW]},
        {"id": "returned", "title": _("Returned to their authors"),
         "empty": _("No change has been returned."),
         "items": [change for change in visible if change.status == workflow.RETURNED]},
        {"id": "my-drafts", "title": _("My drafts"), "empty": _("You have no drafts."),
         "items": [change for change in visible
                   if change.status == workflow.DRAFT and change.author_id == user.id]},
    ]
    if user.role != "provider":
        groups.append({"id": "other-drafts", "title": _("Other people's drafts"), "empty": _("None."),
                       "items": [change for change in visible
                                 if change.status == workflow.DRAFT and change.author_id != user.id]})
    recent = [change for change in workflow.list_changes(db, statuses=(workflow.PUBLISHED,), limit=20)
              if workflow.may_see(user, change)]
    return render_template("editor/changes.html", title=_("Changes"), groups=groups, recent=recent,
                           change_status_label=change_status_label, change_action_label=change_action_label)


def _change_page(change: workflow.Change, *, errors: dict | None = None, problems=None, conflict=None,
                 status: int = 200):
    content_dir = current_app.config["CONTENT_DIR"]
    user = current_user()
    if conflict is None and change.status in workflow.OPEN:
        found = workflow.conflict(content_dir, change)
        conflict = {"live": found} if found is not False else None
    if conflict is not None:
        live_text = conflict["live"].text if conflict["live"] else None
        conflict["diff"] = diffs.text_diff(change.base_text, live_text, change.kind)
    if problems is None and change.status in workflow.OPEN:
        problems = workflow.check_change(content_dir, change)
    problem_errors = entry_form.errors_for(problems or [], kind=change.kind)
    others = []
    if change.status in workflow.OPEN:
        others = [other for other in workflow.other_open_changes(editorial_db(), change.kind, change.entry_id,
                                                                 besides=change.id)
                  if workflow.may_see(user, other)]
    diff = workflow.change_diff(content_dir, change)
    self_approve = workflow.may_self_approve(editorial_db(), user, change)
    return render_template(
        "editor/change.html", title=_("Change %(number)s: %(title)s", number=change.id, title=change.title),
        change=change, diff=diff, conflict=conflict,
        diff_sections=entry_form.form_sections({}, diff, new=False) if change.kind == "service" else None,
        kind_name=entry_form.kind_name(change.kind), other_changes=others,
        public_url=public_url(change.kind, change.entry_id) if change.status == workflow.PUBLISHED else None,
        problems=problem_errors, errors=errors or {}, display=diffs.display, field_label=field_name,
        may_edit=workflow.may_edit(user, change), may_submit=workflow.may_submit(user, change),
        may_review=workflow.may_review(user, change), may_self_approve=self_approve,
        own_review=user.role in workflow.REVIEWERS and change.author_id == user.id
        and change.status == workflow.IN_REVIEW and not self_approve,
        may_withdraw=change.author_id == user.id and change.status in workflow.OPEN,
        change_status_label=change_status_label, change_action_label=change_action_label), status


@blueprint.get("/changes/<int:change_id>")
@role_required(*EVERYONE)
def change(change_id: int):
    """One change: who, when, its state, the diff against the live entry, and what you may do with it."""
    return _change_page(_visible_or_404(change_id))


@blueprint.route("/changes/<int:change_id>/edit", methods=["GET", "POST"])
@role_required(*EVERYONE)
def edit_change(change_id: int):
    """The form again, filled from the change (its author, while it is a draft or returned)."""
    change = _visible_or_404(change_id)
    if not workflow.may_edit(current_user(), change):
        flash(_("Only its author can edit this change, while it is a draft or returned."), "info")
        return redirect(url_for("editor.change", change_id=change.id), 303)
    kind = change.kind
    form = {"title": _("Edit %(title)s", title=change.title),
            "action": url_for("editor.edit_change", change_id=change.id), "change": change}
    if change.removes_file:
        flash(_("This change removes the entry: there is nothing to edit. Withdraw it if it is not wanted."),
              "info")
        return redirect(url_for("editor.change", change_id=change.id), 303)
    if request.method == "GET":
        problems = workflow.check_change(current_app.config["CONTENT_DIR"], change)
        return entry_form.render_form(kind, values=form_from_fields(kind, change.fields, change.body,
                                                                    change.entry_id),
                                      errors=entry_form.errors_for(problems, kind=kind),
                                      proposed=(change.fields, change.body), **form)
    parsed, errors = entry_form.parse(kind, change.entry_id)
    parsed.fields = keep_fields(kind, parsed.fields, change.fields)
    form["proposed"] = (parsed.fields, parsed.body)
    if change.action == workflow.CREATE:
        errors.pop("id", None)
    pressed = entry_form.button()
    values = entry_form.values_of(kind, parsed)
    answer = entry_form.answer_before_saving(kind, parsed, errors, values, pressed, **form)
    if answer is not None:
        return answer
    try:
        change = workflow.save(editorial_db(), change.id, current_user(), fields=parsed.fields,
                               body=parsed.body, ip=request.remote_addr)
    except ChangeError:
        errors["organisation"] = _("Choose your own organisation: providers change their organisation's "
                                   "services only")
        return entry_form.render_form(kind, values=values, errors=errors, status=400, **form)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


@blueprint.post("/changes/<int:change_id>/submit")
@role_required(*EVERYONE)
def submit_change(change_id: int):
    """Send a draft or returned change for review."""
    change = _visible_or_404(change_id)
    try:
        change = workflow.submit(editorial_db(), current_app.config["CONTENT_DIR"], change.id, current_user(),
                                 ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "invalid":
            return _change_page(change, errors={"problems": _("Fix the problems below before submitting.")},
                                problems=error.problems, status=400)
        return _change_page(change, errors={"actions": _("This change cannot be submitted now.")}, status=409)
    flash(_("Sent %(title)s for review. A publisher will check it.", title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


@blueprint.post("/changes/<int:change_id>/approve")
@role_required("publisher", "admin")
def approve_change(change_id: int):
    """Approve: check, write the entry file and publish; refused on a conflict or problems."""
    change = _visible_or_404(change_id)
    config = current_app.config
    try:
        change = workflow.approve(editorial_db(), config["CONTENT_DIR"], config["INDEX_DIR"], change.id,
                                  current_user(), ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "conflict":
            return _change_page(change, conflict={"live": error.details.get("live")}, errors={"conflict": _(
                "Not published: the live entry has changed since this change began (someone else's change "
                "was published). Nothing was overwritten. Compare the two below, then return this change to "
                "its author.")}, status=409)
        if error.code == "invalid":
            return _change_page(change, errors={"problems": _(
                "Not published: the entry has problems. Return it to its author to fix them.")},
                problems=error.problems, status=400)
        if error.code == "own_change":
            return _change_page(change, errors={"actions": _(
                "You cannot approve a change you wrote. Ask another publisher.")}, status=403)
        return _change_page(change, errors={"actions": _("This change is not waiting for review.")},
                            status=409)
    except PublishFailed:
        change = workflow.get_change(editorial_db(), change.id)
        return _change_page(change, errors={"publish": _(
            "Publishing failed, so the live site has not changed. The change is still in review; the "
            "problems are below.")}, status=409)
    flash(_("Approved and published %(title)s.", title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


@blueprint.post("/changes/<int:change_id>/return")
@role_required("publisher", "admin")
def return_change(change_id: int):
    """Send the change back to its author with a comment."""
    change = _visible_or_404(change_id)
    try:
        change = workflow.return_change(editorial_db(), change.id, current_user(),
                                        request.form.get("comment", ""), ip=request.remote_addr)
    except ChangeError as error:
        if error.code == "comment_required":
            return _change_page(change, errors={"comment": _("Say what the author needs to change")},
                                status=400)
        if error.code == "not_reviewable" and change.author_id == current_user().id:
            return _change_page(change, errors={"actions": _(
                "You cannot review a change you wrote. Ask another publisher.")}, status=403)
        return _change_page(change, errors={"actions": _("This change is not waiting for review.")},
                            status=409)
    flash(_("Returned %(title)s to its author.", title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


@blueprint.post("/changes/<int:change_id>/withdraw")
@role_required(*EVERYONE)
def withdraw_change(change_id: int):
    """The author gives up the change."""
    change = _visible_or_404(change_id)
    try:
        change = workflow.withdraw(editorial_db(), change.id, current_user(), ip=request.remote_addr)
    except ChangeError:
        return _change_page(change, errors={"actions": _("Only its author can withdraw an open change.")},
                            status=409)
    flash(_("Withdrew the change to %(title)s.", title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


@blueprint.post("/changes/<int:change_id>/rebase")
@role_required(*EVERYONE)
def rebase_change(change_id: int):
    """The author has read what was published since, and bases the change on the live entry now."""
    change = _visible_or_404(change_id)
    try:
        change = workflow.rebase(editorial_db(), current_app.config["CONTENT_DIR"], change.id, current_user(),
                                 ip=request.remote_addr)
    except ChangeError:
        return _change_page(change, errors={"actions": _(
            "Only its author can update a change, while it is a draft or returned.")}, status=409)
    flash(_("Your change is now based on the live entry. Check it still says what you meant, then submit "
            "it."), "success")
    return redirect(url_for("editor.edit_change", change_id=change.id), 303)
