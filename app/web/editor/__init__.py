"""The editor's pages under /editor/: signing in, the dashboard, entries, accounts, settings, the audit log.

Every route carries :func:`guard.role_required` (or, for the sign-in page
alone, :func:`guard.open_to_all`); a route with neither is refused, so a
forgotten guard fails closed. Every response under /editor/ is private:
``Cache-Control: no-store`` and ``X-Robots-Tag: noindex, nofollow``.

To add a tool: write its views in a module here with ``@role_required(...)``,
import the module in :func:`register`, and add a line to :data:`TOOLS` so the
dashboard and the navigation offer it to the roles that may use it.
"""

from __future__ import annotations

import sqlite3

from flask import Blueprint, Flask, current_app, g, request, url_for
from flask_babel import lazy_gettext as _l

from ...editorial.entry_index import EntryIndex, current_index
from ...editorial.instance import Instance
from ...editorial.two_factor import load_key

blueprint = Blueprint("editor", __name__, url_prefix="/editor")

PREFIX = "/editor"

# (endpoint, label, description): offered to whichever roles the endpoint's guard allows.
TOOLS = [
    ("editor.services", _l("Services"),
     _l("Find a service, propose a change, add a new service or archive one, and see its history.")),
    ("editor.organisations", _l("Organisations"),
     _l("The organisations that run services: their names, contact details and descriptions.")),
    ("editor.hubs", _l("Hubs"),
     _l("The Early Help Hubs: addresses, contact details and the areas they cover.")),
    ("editor.pages", _l("Pages"), _l("Content pages such as about, accessibility and privacy.")),
    ("editor.taxonomy", _l("Taxonomy"),
     _l("Needs with the words families search for, age bands and levels of need.")),
    ("editor.translations_services", _l("Translations"),
     _l("Translations of services, hubs, pages and the taxonomy beside the English, and which are out of "
        "date.")),
    ("editor.changes_queue", _l("Changes"),
     _l("Changes waiting for review, returned to their authors, and your drafts.")),
    ("editor.settings_form", _l("Site settings"),
     _l("The directory's name, the safeguarding front door, the quick exit, languages and review interval.")),
    ("editor.users", _l("Users"), _l("Add accounts, change roles, reset passwords and disable accounts.")),
    ("editor.two_factor_settings", _l("Two-factor sign-in"),
     _l("Choose which roles must give a code from an authenticator app when they sign in.")),
    ("editor.audit", _l("Audit log"),
     _l("Who did what and when: sign-ins, account changes, changes published, rollbacks and backups.")),
    ("editor.reviews_dashboard", _l("Review dates"),
     _l("Services by the date they are due to be checked, and confirming they are still correct.")),
    ("editor.suggestions_queue", _l("Suggestions"),
     _l("Problems the public have reported with service pages, to check and deal with.")),
    ("editor.insight", _l("Insight"),
     _l("For commissioners: gaps in provision, what families search for, and the quality of the data.")),
    ("editor.account", _l("Your account"), _l("Change your password and set up two-factor sign-in.")),
]


def editorial_db() -> sqlite3.Connection:
    """This request's connection to the instance database (closed when the request ends)."""
    if "editorial_db" not in g:
        g.editorial_db = current_app.extensions["editorial"].connect()
    return g.editorial_db


def content_index() -> EntryIndex:
    """This request's index of the entry files, brought up to date with them once per request."""
    if "content_index" not in g:
        g.content_index = current_index(current_app.config["CONTENT_DIR"], current_app.config["INDEX_DIR"])
    return g.content_index


def _close_db(error: BaseException | None = None) -> None:
    db = g.pop("editorial_db", None)
    if db is not None:
        db.close()
    g.pop("content_index", None)  # kept open for this thread's next request (entry_index.current_index)


def allowed_roles(endpoint: str) -> tuple[str, ...] | None:
    """The roles the view at ``endpoint`` admits; None when it is open to everyone (sign-in)."""
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "editor_roles", ())


def tools_for(role: str) -> list[dict]:
    """The tools of :data:`TOOLS` that ``role`` may use, with their URLs."""
    return [{"endpoint": endpoint, "url": url_for(endpoint), "label": label, "description": description}
            for endpoint, label, description in TOOLS if role in (allowed_roles(endpoint) or ())]


def is_editor_path(path: str) -> bool:
    """True for /editor and everything under /editor/."""
    return path == PREFIX or path.startswith(PREFIX + "/")


def _private_headers(response):
    # By path, not by blueprint, so 404s, CSRF failures and redirects under /editor/ are covered too.
    if is_editor_path(request.path):
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def register(app: Flask) -> None:
    """Add the editor blueprint, the instance database and the private headers to ``app``."""
    from . import (  # noqa: F401 - each adds its routes
        account,
        audit_log,
        auth,
        changes,
        entries,
        guard,
        insight,
        reviews,
        settings,
        suggestions,
        translations,
        two_factor,
        users,
    )

    app.extensions["editorial"] = Instance(app.config["INSTANCE_DIR"])
    # Read (or made) once at start: a malformed EARLYHELP_TWO_FACTOR_KEY stops the server with its
    # message rather than failing the first sign-in.
    app.extensions["two_factor_key"] = load_key(app.config["INSTANCE_DIR"])
    app.register_blueprint(blueprint)
    app.teardown_appcontext(_close_db)
    app.after_request(_private_headers)
