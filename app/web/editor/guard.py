"""Who is signed in, and the guard every editor route wears.

The session (a signed cookie) holds the account id, the account's
``session_version`` at sign-in and the time of sign-in. On every editor
request the account is read again, and the session ends when the account
was disabled, its version moved on (password reset, sign-out elsewhere) or
eight hours have passed since sign-in.

Between a right password and a right two-factor code the session holds only
the half-signed-in state (the account id, its version, when the password was
given, where to go next), which no editor page reads as signed in; it lasts
:data:`SECOND_STEP_TIME`. A signed-in account whose role must use two-factor
sign-in and has not set it up reaches nothing but the set-up pages (and
signing out) until it has.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _

from ...editorial import accounts, instance, two_factor
from ...editorial.accounts import ROLES, User
from . import allowed_roles, blueprint, editorial_db, tools_for
from .messages import change_action_label, change_status_label, editor_time, role_label, status_label

USER_ID = "editor_user_id"
SESSION_VERSION = "editor_session_version"
SIGNED_IN_AT = "editor_signed_in_at"
# The half-signed-in state: the password was right, the two-factor code is still to come.
PENDING_USER_ID = "editor_pending_user_id"
PENDING_VERSION = "editor_pending_session_version"
PENDING_AT = "editor_pending_at"
PENDING_NEXT = "editor_pending_next"
SECOND_STEP_TIME = dt.timedelta(minutes=5)


def current_user() -> User | None:
    """The signed-in account for this request, or None."""
    return g.get("editor_user")


def role_required(*roles: str) -> Callable:
    """Let in only signed-in accounts with one of ``roles`` (any role when none are named).

    Signed out: a redirect to the sign-in page, which comes back here after.
    Signed in with another role: the 403 page.
    """
    for role in roles:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")
    allowed = tuple(roles) or ROLES

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args, **kwargs):
            user = current_user()
            if user is None:
                return redirect(url_for("editor.sign_in", next=_return_path()), 303)
            if user.role not in allowed:
                abort(403)
            return view(*args, **kwargs)

        guarded.editor_roles = allowed
        return guarded

    return decorate


def open_to_all(view: Callable) -> Callable:
    """Mark a view as reachable when signed out (the sign-in page, and nothing else)."""
    view.editor_roles = None
    return view


def before_two_factor(view: Callable) -> Callable:
    """Mark a guarded view as reachable by an account that must set up two-factor sign-in and has not yet."""
    view.before_two_factor = True
    return view


def _return_path() -> str | None:
    # Only a GET can be repeated after signing in; a form post starts again from its page.
    if request.method != "GET":
        return None
    return request.full_path.rstrip("?")


def safe_next(path: str | None) -> str | None:
    """``path`` if it is a page of the editor on this site, else None (no open redirects)."""
    if not path or not path.startswith("/editor/") or "\\" in path or any(ord(ch) < 32 for ch in path):
        return None
    return path


def start_session(user: User) -> None:
    """A fresh session for ``user``: nothing from before signing in survives (CSRF token included)."""
    session.clear()
    session.permanent = True  # the cookie lasts PERMANENT_SESSION_LIFETIME (8 hours)
    session[USER_ID] = user.id
    session[SESSION_VERSION] = user.session_version
    session[SIGNED_IN_AT] = instance.iso(instance.utc_now())


def end_session() -> None:
    """Forget the signed-in account in this browser."""
    session.clear()


def start_second_step(user: User, next_path: str | None) -> None:
    """The half-signed-in state for ``user``, whose password was right: nothing else survives."""
    session.clear()
    session[PENDING_USER_ID] = user.id
    session[PENDING_VERSION] = user.session_version
    session[PENDING_AT] = instance.iso(instance.utc_now())
    if next_path:
        session[PENDING_NEXT] = next_path


def second_step() -> tuple[User | None, str | None, bool]:
    """(the account half signed in, where to go after, whether the half sign-in ran out).

    The account is None when there is no half sign-in or it ran out (and then it is forgotten), or the
    account was disabled or reset meanwhile.
    """
    user_id = session.get(PENDING_USER_ID)
    if user_id is None:
        return None, None, False
    try:
        started = instance.parse_iso(session.get(PENDING_AT, ""))
    except (TypeError, ValueError):
        started = None
    if started is None or instance.utc_now() - started > SECOND_STEP_TIME:
        session.clear()
        return None, None, True
    user = accounts.get_user(editorial_db(), user_id)
    if user is None or user.disabled or user.session_version != session.get(PENDING_VERSION):
        session.clear()
        return None, None, False
    return user, safe_next(session.get(PENDING_NEXT)), False


def _account_of(data) -> User | None:
    """The account a session's data is signed in as, if it still may be (no side effects)."""
    user_id = data.get(USER_ID)
    if user_id is None:
        return None
    user = accounts.get_user(editorial_db(), user_id)
    try:
        signed_in_at = instance.parse_iso(data.get(SIGNED_IN_AT, ""))
    except (TypeError, ValueError):
        signed_in_at = None
    expired = (signed_in_at is None
               or instance.utc_now() - signed_in_at > current_app.permanent_session_lifetime)
    if user is None or user.disabled or user.session_version != data.get(SESSION_VERSION) or expired:
        return None
    return user


def _session_user() -> User | None:
    if session.get(USER_ID) is None:
        return None
    user = _account_of(session)
    if user is None:
        end_session()
        flash(_("You have been signed out. Sign in again to carry on."), "info")
    return user


def signed_in_account() -> User | None:
    """The account signed in in this browser, for a page outside the editor (a public service page's
    Edit link). It reads a copy of the session, so the page neither changes the cookie nor varies on
    it in Flask's eyes; without a session cookie it reads nothing at all."""
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return None
    data = current_app.session_interface.open_session(current_app, request)
    # A read node without the instance database has no accounts: it answers as it would the public.
    if not data or USER_ID not in data or not current_app.extensions["editorial"].path.exists():
        return None
    return _account_of(data)


@blueprint.before_request
def load_signed_in_user():
    """Before every editor request: refuse unguarded routes, load the signed-in account."""
    # Fail closed: a route that forgot its guard is refused rather than open.
    if request.endpoint is not None and allowed_roles(request.endpoint) == ():
        abort(403)
    user = g.editor_user = _session_user()
    if user is None or request.endpoint is None:
        return None
    view = current_app.view_functions[request.endpoint]
    if getattr(view, "before_two_factor", False) or getattr(view, "editor_roles", ()) is None:
        return None
    db = editorial_db()
    if two_factor.is_required(db, user.role) and not two_factor.is_enabled(db, user.id):
        # Before the view, so nothing of the page runs; a form post's work is not done either.
        return redirect(url_for("editor.two_factor_set_up", next=_return_path()), 303)
    return None


@blueprint.context_processor
def editor_context():
    """What editor templates need: the account, its tools, label helpers."""
    user = current_user()
    return {"editor_user": user, "editor_tools": tools_for(user.role) if user else [],
            "role_label": role_label, "status_label": status_label, "editor_time": editor_time,
            "change_status_label": change_status_label, "change_action_label": change_action_label}
