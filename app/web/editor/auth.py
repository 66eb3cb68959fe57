"""Signing in and out, and the dashboard a signed-in editor lands on."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import accounts
from ...editorial.accounts import Refusal
from . import blueprint, editorial_db
from .guard import (
    before_two_factor,
    current_user,
    end_session,
    open_to_all,
    role_required,
    safe_next,
    start_second_step,
    start_session,
)
from .messages import role_description, role_label, sign_in_refusal_message

# How each refusal answers: "too many" is 429 so tools and logs can tell a limit from a typo.
REFUSAL_STATUS = {Refusal.INVALID: 400, Refusal.LOCKED: 429, Refusal.TOO_MANY_ATTEMPTS: 429,
                  Refusal.DISABLED: 403, Refusal.WRONG_CODE: 400, Refusal.CODE_REUSED: 400}


@blueprint.route("/sign-in", methods=["GET", "POST"])
@open_to_all
def sign_in():
    """The sign-in form, and checking it; a new session on success."""
    next_path = safe_next(request.values.get("next"))
    if request.method == "GET":
        if current_user() is not None:
            return redirect(next_path or url_for("editor.dashboard"), 303)
        return render_template("editor/sign_in.html", title=_("Sign in"), email="", errors={}, next=next_path)

    email = request.form.get("email", "").strip()
    password = request.form.get("password", "")
    errors = {}
    if not email:
        errors["email"] = _("Enter your email address")
    if not password:
        errors["password"] = _("Enter your password")
    status = 400
    if not errors:
        result = accounts.authenticate(editorial_db(), email, password, ip=request.remote_addr)
        if isinstance(result, accounts.User):
            start_session(result)
            return redirect(next_path or url_for("editor.dashboard"), 303)
        if isinstance(result, accounts.CodeNeeded):
            start_second_step(result.user, next_path)
            return redirect(url_for("editor.sign_in_code"), 303)
        errors["email"] = sign_in_refusal_message(result)
        status = REFUSAL_STATUS[result]
    return render_template("editor/sign_in.html", title=_("Sign in"), email=email, errors=errors,
                           next=next_path), status


@blueprint.post("/sign-out")
@role_required()
@before_two_factor
def sign_out():
    """End this account's sessions, here and everywhere else."""
    accounts.sign_out(editorial_db(), current_user(), ip=request.remote_addr)
    end_session()
    flash(_("You have signed out."), "success")
    return redirect(url_for("editor.sign_in"), 303)


@blueprint.get("/")
@role_required()
def dashboard():
    """Where a signed-in editor lands: their role and the tools it allows."""
    user = current_user()
    return render_template("editor/dashboard.html", title=_("Dashboard"), role=role_label(user.role),
                           role_description=role_description(user.role))
