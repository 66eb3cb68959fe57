"""Your own account: changing your password (with the current one), which renews your session, and
the state of your two-factor sign-in (its forms are in two_factor.py) and
choosing the language of the emails you are sent."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import accounts, mail, two_factor
from ...editorial.accounts import AccountError
from . import blueprint, editorial_db
from .guard import current_user, role_required, start_session
from .messages import account_error_message, role_label

# Which field each refusal of a password change is about.
PASSWORD_ERROR_FIELDS = {"wrong_password": "current-password", "too_many_attempts": "current-password"}


def account_page(errors: dict[str, str] | None = None, status: int = 200):
    """Your account's page, with ``errors`` beside the form that was refused."""
    user = current_user()
    db = editorial_db()
    return render_template("editor/account.html", title=_("Your account"), user=user,
                           role=role_label(user.role), errors=errors or {},
                           two_factor=two_factor.status(db, user.id),
                           two_factor_required=two_factor.is_required(db, user.role),
                           email_languages=mail.language_choices()), status


@blueprint.get("/account")
@role_required()
def account():
    """Who you are signed in as, and the form to change your password."""
    return account_page()


@blueprint.post("/account/password")
@role_required()
def change_password():
    """Change your password: signed out everywhere else, and a new session here."""
    current = request.form.get("current-password", "")
    new = request.form.get("new-password", "")
    errors: dict[str, str] = {}
    if not current:
        errors["current-password"] = _("Enter your current password")
    if not new:
        errors["new-password"] = _("Enter a new password")
    elif new != request.form.get("confirm-new-password", ""):
        errors["confirm-new-password"] = _("The passwords do not match")
    if not errors:
        try:
            changed = accounts.change_own_password(editorial_db(), current_user(), current, new,
                                                   ip=request.remote_addr)
        except AccountError as error:
            field = PASSWORD_ERROR_FIELDS.get(error.code, "new-password")
            status = 429 if error.code == "too_many_attempts" else 400
            return account_page({field: account_error_message(error)}, status)
        start_session(changed)  # a fresh session; every other one ended with the old password
        flash(_("Your password has been changed. You have been signed out everywhere else."), "success")
        return redirect(url_for("editor.account"), 303)
    return account_page(errors, 400)


@blueprint.post("/account/language")
@role_required()
def change_language():
    """Choose the language of the emails you are sent."""
    user = current_user()
    try:
        changed = accounts.set_language(editorial_db(), user.email, request.form.get("language", ""),
                                        languages=mail.languages(), actor=user.email, ip=request.remote_addr)
    except AccountError as error:
        return account_page({"language": account_error_message(error)}, 400)
    flash(_("Your emails will be in %(language)s.", language=mail.language_name(changed.language)), "success")
    return redirect(url_for("editor.account"), 303)
