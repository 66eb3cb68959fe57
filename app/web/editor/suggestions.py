"""Suggestions from the public, for editors: the queue, and marking one as dealt with.

Editors and above see every suggestion; a provider sees (and deals with) only
those about its own organisation's services. Everything the public wrote is
shown as text: Jinja escapes it, and nothing of it is ever rendered as Markdown.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import suggestions
from . import blueprint, editorial_db
from .guard import current_user, role_required

SHOW = {"open": suggestions.OPEN, "dealt-with": suggestions.DEALT_WITH}


def _organisation_scope() -> str | None:
    """None for editors and above (everything); a provider's own organisation otherwise."""
    user = current_user()
    return (user.organisation or "") if user.role == "provider" else None


@blueprint.get("/suggestions")
@role_required("provider", "editor", "publisher", "admin")
def suggestions_queue():
    """Open suggestions, oldest first (or the ones dealt with, newest first)."""
    show = request.args.get("show", "open")
    status = SHOW.get(show, suggestions.OPEN)
    db, scope = editorial_db(), _organisation_scope()
    return render_template(
        "editor/suggestions.html", title=_("Suggestions from the public"),
        show=show if show in SHOW else "open",
        suggestions=suggestions.list_suggestions(db, status=status, organisation=scope),
        open_count=suggestions.count(db, status=suggestions.OPEN, organisation=scope),
        dealt_with_count=suggestions.count(db, status=suggestions.DEALT_WITH, organisation=scope),
        retention_days=suggestions.RETENTION_DAYS, open_email_days=suggestions.OPEN_EMAIL_DAYS)


@blueprint.post("/suggestions/<int:suggestion_id>/done")
@role_required("provider", "editor", "publisher", "admin")
def suggestion_done(suggestion_id: int):
    """Mark a suggestion as dealt with (audited)."""
    db, scope = editorial_db(), _organisation_scope()
    suggestion = suggestions.get_suggestion(db, suggestion_id)
    if suggestion is None:
        abort(404)
    if scope is not None and suggestion.organisation != scope:
        abort(403)
    suggestions.mark_dealt_with(db, suggestion_id, actor=current_user().email, ip=request.remote_addr)
    flash(_("Marked the suggestion about %(title)s as dealt with.", title=suggestion.service_title),
          "success")
    return redirect(url_for("editor.suggestions_queue"), 303)
