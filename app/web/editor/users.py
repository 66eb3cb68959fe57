"""Accounts, for admins: list, add, change role, reset password, disable and enable.

Each change goes through :mod:`app.editorial.accounts`, which checks it and
writes the audit log; these views only turn forms into calls and refusals
into messages beside the fields.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import accounts, mail, two_factor
from ...editorial.accounts import ROLES, AccountError
from . import blueprint, editorial_db
from .guard import current_user, role_required, start_session
from .messages import ACCOUNT_ERROR_FIELDS, account_error_message, role_description, role_label


def _organisations() -> dict[str, str]:
    return accounts.known_organisations(current_app.config["CONTENT_DIR"])


def _role_options() -> list[dict]:
    return [{"value": role, "label": role_label(role), "hint": role_description(role)} for role in ROLES]


def _organisation_for(role: str) -> str | None:
    # The organisation list stays on the form whatever the role; only a provider's choice counts.
    if role != "provider":
        return None
    return request.form.get("organisation", "").strip() or None


def _account_error(error: AccountError, default_field: str) -> dict[str, str]:
    return {ACCOUNT_ERROR_FIELDS.get(error.code, default_field): account_error_message(error)}


def _user_or_404(user_id: int) -> accounts.User:
    user = accounts.get_user(editorial_db(), user_id)
    if user is None:
        abort(404)
    return user


def _actor() -> str:
    return current_user().email


def _passwords(errors: dict[str, str], password_field: str, confirm_field: str) -> str:
    password = request.form.get(password_field, "")
    if not password:
        errors[password_field] = _("Enter a password")
    elif password != request.form.get(confirm_field, ""):
        errors[confirm_field] = _("The passwords do not match")
    return password


@blueprint.get("/users")
@role_required("admin")
def users():
    """Every account, most trusted first."""
    return render_template("editor/users.html", title=_("Users"), users=accounts.list_users(editorial_db()),
                           organisations=_organisations(),
                           two_factor_on=two_factor.enabled_user_ids(editorial_db()))


@blueprint.route("/users/new", methods=["GET", "POST"])
@role_required("admin")
def new_user():
    """The form to add an account, and adding it."""
    form = {"email": "", "name": "", "role": "", "organisation": "", "language": mail.DEFAULT_LANGUAGE}
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {key: request.form.get(key, "").strip() for key in form}
        if not form["email"]:
            errors["email"] = _("Enter the email address")
        if form["role"] not in ROLES:
            errors["role"] = _("Choose a role")
        form["language"] = form["language"] or mail.DEFAULT_LANGUAGE
        if form["language"] not in mail.languages():
            errors["language"] = _("Choose a language from the list")
        password = _passwords(errors, "password", "confirm-password")
        if not errors:
            try:
                user = accounts.create_user(
                    editorial_db(), form["email"], password, form["role"], name=form["name"],
                    organisation=_organisation_for(form["role"]), organisations=_organisations(),
                    actor=_actor(), ip=request.remote_addr)
            except AccountError as error:
                errors.update(_account_error(error, "email"))
            else:
                if form["language"] != user.language:  # before the job that tells them runs
                    user = accounts.set_language(editorial_db(), user.email, form["language"],
                                                 languages=mail.languages(), actor=_actor(),
                                                 ip=request.remote_addr)
                flash(_("Added an account for %(email)s. Tell them their password in person or by phone.",
                        email=user.email), "success")
                return redirect(url_for("editor.user", user_id=user.id), 303)
    return render_template("editor/user_new.html", title=_("Add a user"), form=form, errors=errors,
                           roles=_role_options(), organisations=_organisations(),
                           email_languages=mail.language_choices()), 400 if errors else 200


def user_page(user: accounts.User, errors: dict[str, str] | None = None, status: int = 200):
    """One account's page, with ``errors`` beside the form that was refused."""
    return render_template("editor/user.html", title=user.display_name, user=user, errors=errors or {},
                           roles=_role_options(), organisations=_organisations(),
                           email_languages=mail.language_choices(),
                           is_self=user.id == current_user().id,
                           two_factor=two_factor.status(editorial_db(), user.id)), status


@blueprint.get("/users/<int:user_id>")
@role_required("admin")
def user(user_id: int):
    """One account, with the forms that change it."""
    return user_page(_user_or_404(user_id))


@blueprint.post("/users/<int:user_id>/role")
@role_required("admin")
def change_role(user_id: int):
    """Give an account another role (and a provider its organisation)."""
    user = _user_or_404(user_id)
    role = request.form.get("role", "")
    if role not in ROLES:
        return user_page(user, {"role": _("Choose a role")}, 400)
    try:
        changed = accounts.set_role(editorial_db(), user.email, role,
                                    organisation=_organisation_for(role),
                                    organisations=_organisations(), actor=_actor(), ip=request.remote_addr)
    except AccountError as error:
        return user_page(user, _account_error(error, "role"), 400)
    flash(_("%(email)s is now: %(role)s.", email=changed.email, role=role_label(changed.role)), "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)


@blueprint.post("/users/<int:user_id>/language")
@role_required("admin")
def change_user_language(user_id: int):
    """Choose the language of the emails an account is sent."""
    user = _user_or_404(user_id)
    try:
        changed = accounts.set_language(editorial_db(), user.email, request.form.get("language", ""),
                                        languages=mail.languages(), actor=_actor(), ip=request.remote_addr)
    except AccountError as error:
        return user_page(user, {"language": account_error_message(error)}, 400)
    flash(_("%(email)s will be sent emails in %(language)s.", email=changed.email,
            language=mail.language_name(changed.language)), "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)


@blueprint.post("/users/<int:user_id>/password")
@role_required("admin")
def reset_password(user_id: int):
    """Set a new password; the account's other sessions end."""
    user = _user_or_404(user_id)
    errors: dict[str, str] = {}
    password = _passwords(errors, "new-password", "confirm-new-password")
    if not errors:
        try:
            changed = accounts.set_password(editorial_db(), user.email, password, actor=_actor(),
                                            ip=request.remote_addr)
        except AccountError as error:
            errors["new-password"] = account_error_message(error)
    if errors:
        return user_page(user, errors, 400)
    if changed.id == current_user().id:
        start_session(changed)  # your own new password: signed out elsewhere, still signed in here
    flash(_("New password set for %(email)s. They have been signed out everywhere.", email=user.email),
          "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)


@blueprint.post("/users/<int:user_id>/disable")
@role_required("admin")
def disable_user(user_id: int):
    """Stop an account signing in; its sessions end on their next request."""
    user = _user_or_404(user_id)
    try:
        accounts.disable_user(editorial_db(), user.email, actor=_actor(), ip=request.remote_addr)
    except AccountError as error:
        return user_page(user, {"disable": account_error_message(error)}, 400)
    flash(_("Disabled %(email)s. They have been signed out.", email=user.email), "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)


@blueprint.post("/users/<int:user_id>/enable")
@role_required("admin")
def enable_user(user_id: int):
    """Let a disabled or locked account sign in again."""
    user = _user_or_404(user_id)
    accounts.enable_user(editorial_db(), user.email, actor=_actor(), ip=request.remote_addr)
    flash(_("Enabled %(email)s. They can sign in again.", email=user.email), "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)
