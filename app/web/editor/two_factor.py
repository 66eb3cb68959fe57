"""Two-factor sign-in: the code step of signing in, setting it up from your account, recovery codes,
switching it off, and for admins which roles must use it and resetting someone's.

The rules (codes, recovery codes, lockout, audit) are in :mod:`app.editorial.two_factor`; these
views turn forms into calls and refusals into messages beside the fields.
"""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import accounts, two_factor
from ...editorial.accounts import ROLES, AccountError, Refusal
from . import blueprint, editorial_db
from .account import account_page
from .auth import REFUSAL_STATUS
from .guard import (
    before_two_factor,
    current_user,
    end_session,
    open_to_all,
    role_required,
    safe_next,
    second_step,
    start_session,
)
from .messages import account_error_message, role_label, sign_in_refusal_message
from .users import user_page

# Refusals that end the half sign-in: the person starts again from the password (or waits).
ENDS_SECOND_STEP = {Refusal.LOCKED, Refusal.TOO_MANY_ATTEMPTS, Refusal.DISABLED, Refusal.INVALID}


def _key() -> bytes:
    return current_app.extensions["two_factor_key"]


def _ip() -> str | None:
    return request.remote_addr


# -- the second step of signing in ---------------------------------------------------------------

def _code_page(errors: dict[str, str] | None = None, status: int = 200):
    return render_template("editor/two_factor_code.html", title=_("Enter the code from your app"),
                           errors=errors or {}), status


@blueprint.route("/sign-in/code", methods=["GET", "POST"])
@open_to_all
def sign_in_code():
    """After a right password: the code from the authenticator app, or a recovery code."""
    if current_user() is not None:
        return redirect(url_for("editor.dashboard"), 303)
    user, next_path, ran_out = second_step()
    if user is None:
        if ran_out:
            flash(_("Signing in took too long. Enter your email address and password again."), "info")
        return redirect(url_for("editor.sign_in"), 303)
    if request.method == "GET":
        return _code_page()

    field = "recovery-code" if "recovery-code" in request.form else "code"
    code = request.form.get(field, "").strip()
    if not code:
        if field == "recovery-code":
            return _code_page({field: _("Enter a recovery code")}, 400)
        return _code_page({field: _("Enter the 6-digit code from your app")}, 400)
    result = two_factor.verify_sign_in(editorial_db(), user.id, code, _key(), ip=_ip())
    if isinstance(result, accounts.User):
        start_session(result)
        if field == "recovery-code":
            left = two_factor.status(editorial_db(), result.id).recovery_codes_left
            flash(_("You used a recovery code. You have %(n)s left: make new ones from your account page "
                    "before they run out.", n=left), "info")
        return redirect(next_path or url_for("editor.dashboard"), 303)
    if result in ENDS_SECOND_STEP:
        end_session()
        page = render_template("editor/sign_in.html", title=_("Sign in"), email=user.email,
                               errors={"email": sign_in_refusal_message(result)}, next=None)
        return page, REFUSAL_STATUS[result]
    return _code_page({field: sign_in_refusal_message(result)}, REFUSAL_STATUS[result])


# -- setting it up ---------------------------------------------------------------------------

def qr_code(uri: str) -> str:
    """An SVG QR code of ``uri`` as a data: address (the page's CSP allows data: images, nothing inline)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=4)


def _spaced(secret: str) -> str:
    return " ".join(secret[index:index + 4] for index in range(0, len(secret), 4))


def _set_up_page(errors: dict[str, str] | None = None, status: int = 200):
    user = current_user()
    try:
        secret = two_factor.enrolment_secret(editorial_db(), user, _key())
    except AccountError:  # already on: the secret is never shown again
        return redirect(url_for("editor.account"), 303)
    uri = two_factor.provisioning_uri(secret, user.email)
    return render_template("editor/two_factor_set_up.html", title=_("Set up two-factor sign-in"),
                           qr=qr_code(uri), secret=_spaced(secret), errors=errors or {},
                           required=two_factor.is_required(editorial_db(), user.role),
                           next=safe_next(request.values.get("next"))), status


def _codes_page(codes: list[str], next_path: str | None):
    return render_template("editor/two_factor_recovery_codes.html", title=_("Your recovery codes"),
                           codes=codes, next=next_path or url_for("editor.account"), errors={})


@blueprint.get("/account/two-factor")
@role_required()
@before_two_factor
def two_factor_set_up():
    """The QR code and the secret to type in, and the form to confirm with a first code."""
    return _set_up_page()


@blueprint.post("/account/two-factor")
@role_required()
@before_two_factor
def two_factor_confirm():
    """Switch two-factor sign-in on with a code from the app; show the recovery codes, once."""
    code = request.form.get("code", "").strip()
    if not code:
        return _set_up_page({"code": _("Enter the 6-digit code from your app")}, 400)
    try:
        user, codes = two_factor.confirm_enrolment(editorial_db(), current_user(), code, _key(), ip=_ip())
    except AccountError as error:
        if error.code == "two_factor_already_on":
            return redirect(url_for("editor.account"), 303)
        return _set_up_page({"code": account_error_message(error)}, 400)
    start_session(user)  # sessions signed in with the password alone have ended
    return _codes_page(codes, safe_next(request.form.get("next")))


@blueprint.post("/account/two-factor/recovery-codes")
@role_required()
def two_factor_recovery_codes():
    """New recovery codes (the old ones stop working), once you confirm it is you."""
    proof = request.form.get("codes-proof", "")
    try:
        codes = two_factor.regenerate_recovery_codes(editorial_db(), current_user(), proof, _key(), ip=_ip())
    except AccountError as error:
        return account_page({"codes-proof": account_error_message(error)},
                            429 if error.code == "too_many_attempts" else 400)
    return _codes_page(codes, None)


@blueprint.post("/account/two-factor/off")
@role_required()
def two_factor_off():
    """Stop using two-factor sign-in, when your role allows it and you confirm it is you."""
    proof = request.form.get("off-proof", "")
    try:
        two_factor.switch_off(editorial_db(), current_user(), proof, _key(), ip=_ip())
    except AccountError as error:
        return account_page({"off-proof": account_error_message(error)},
                            429 if error.code == "too_many_attempts" else 400)
    flash(_("Two-factor sign-in is off. You sign in with your password alone."), "success")
    return redirect(url_for("editor.account"), 303)


# -- for admins --------------------------------------------------------------------------------

@blueprint.route("/users/two-factor", methods=["GET", "POST"])
@role_required("admin")
def two_factor_settings():
    """Which roles must use two-factor sign-in."""
    db = editorial_db()
    if request.method == "POST":
        chosen = [role for role in request.form.getlist("roles") if role in ROLES]
        if two_factor.set_required_roles(db, chosen, actor=current_user(), ip=_ip()):
            flash(_("Saved. Accounts with these roles set up two-factor sign-in the next time they open an "
                    "editor page."), "success")
        return redirect(url_for("editor.two_factor_settings"), 303)
    required, enabled = two_factor.required_roles(db), two_factor.enabled_user_ids(db)
    without = [user for user in accounts.list_users(db)
               if not user.disabled and user.role in required and user.id not in enabled]
    return render_template("editor/two_factor_settings.html", title=_("Two-factor sign-in"),
                           roles=[(role, role_label(role)) for role in ROLES],
                           required=required, without=without, errors={})


@blueprint.post("/users/<int:user_id>/two-factor/reset")
@role_required("admin")
def reset_two_factor(user_id: int):
    """Take two-factor sign-in off an account (a lost phone); its sessions end."""
    user = accounts.get_user(editorial_db(), user_id)
    if user is None:
        abort(404)
    try:
        two_factor.reset(editorial_db(), user.email, actor=current_user().email, ip=_ip())
    except AccountError as error:
        return user_page(user, {"reset-two-factor": account_error_message(error)}, 400)
    flash(_("Two-factor sign-in reset for %(email)s. They have been signed out everywhere.",
            email=user.email), "success")
    return redirect(url_for("editor.user", user_id=user.id), 303)
