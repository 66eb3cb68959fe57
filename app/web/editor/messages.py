"""Words for the codes the editorial domain code reports, translated for the reader."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...editorial import instance
from ...editorial.accounts import AccountError, Refusal

try:
    # The council's clock: editors read "10:15" as their own time, summer or winter.
    LOCAL_TIME = ZoneInfo("Europe/London")
except ZoneInfoNotFoundError:  # pragma: no cover - a system without time zone data
    LOCAL_TIME = dt.UTC

ROLE_LABELS = {
    "analyst": _l("Analyst"),
    "provider": _l("Provider"),
    "editor": _l("Editor"),
    "publisher": _l("Publisher"),
    "admin": _l("Admin"),
}

ROLE_DESCRIPTIONS = {
    "analyst": _l("Reads the insight reports for commissioners (gaps, demand, data quality); changes "
                   "nothing."),
    "provider": _l("Works for an organisation that runs services: suggests changes to its own services."),
    "editor": _l("Edits entries and sends them for review."),
    "publisher": _l("Reviews changes and publishes them to the directory."),
    "admin": _l("Manages accounts and the site settings, and reads the audit log."),
}

STATUS_LABELS = {
    "active": _l("Active"),
    "locked": _l("Locked for a few minutes after failed sign-ins"),
    "disabled": _l("Disabled"),
}


CHANGE_STATUS_LABELS = {
    "draft": _l("Draft"), "in_review": _l("In review"), "returned": _l("Returned to its author"),
    "published": _l("Published"), "withdrawn": _l("Withdrawn"),
}
CHANGE_ACTION_LABELS = {"create": _l("New entry"), "edit": _l("Edit"), "archive": _l("Archive"),
                        "restore": _l("Restore an earlier version")}


def change_status_label(status: str) -> str:
    """A change's status (draft, in review...) in the reader's language."""
    return str(CHANGE_STATUS_LABELS.get(status, status))


def change_action_label(action: str) -> str:
    """What a change does (new entry, edit, archive, restore) in the reader's language."""
    return str(CHANGE_ACTION_LABELS.get(action, action))


def role_label(role: str) -> str:
    """The name of ``role`` in the reader's language."""
    return str(ROLE_LABELS.get(role, role))


def role_description(role: str) -> str:
    """What ``role`` may do, in a sentence."""
    return str(ROLE_DESCRIPTIONS.get(role, ""))


def status_label(status: str) -> str:
    """``active``, ``locked`` or ``disabled`` in the reader's language."""
    return str(STATUS_LABELS.get(status, status))


def editor_time(value: str | None) -> str:
    """A stored UTC time (``2026-09-01T09:15:00Z``) as UK time: "1 Sept 2026, 10:15"."""
    if not value:
        return ""
    try:
        moment = instance.parse_iso(value).astimezone(LOCAL_TIME)
    except ValueError:
        return value
    return format_datetime(moment.replace(tzinfo=None), "d MMM yyyy, HH:mm", rebase=False)


def account_error_message(error: AccountError) -> str:
    """What to do about a refused account change."""
    code, params = error.code, error.params
    if code == "invalid_email":
        return _("Enter an email address in the correct format, like name@example.org")
    if code == "password_too_short":
        return _("The password must be at least %(minimum)s characters", minimum=params["minimum"])
    if code == "password_too_long":
        return _("The password must be %(maximum)s characters or fewer", maximum=params["maximum"])
    if code == "password_is_email":
        return _("The password must not be the email address")
    if code == "password_too_common":
        return _("This password is too easy to guess. Choose a less common one")
    if code == "unknown_role":
        return _("Choose a role")
    if code == "unknown_language":
        return _("Choose a language from the list")
    if code == "organisation_required":
        return _("Choose the organisation this provider works for")
    if code == "organisation_for_providers_only":
        return _("Only provider accounts belong to an organisation. Choose 'Not a provider'")
    if code == "unknown_organisation":
        return _("Choose an organisation from the list")
    if code == "email_taken":
        return _("There is already an account with this email address")
    if code == "no_such_user":
        return _("There is no such account")
    if code == "last_admin":
        return _("This is the only active admin account. Add another admin first")
    if code == "wrong_password":
        return _("Your current password is not right")
    if code == "too_many_attempts":
        return _("There have been too many wrong passwords. Wait 15 minutes and try again")
    if code == "password_unchanged":
        return _("Choose a new password that is different from your current one")
    if code == "own_account":
        return _("You cannot change your own role or disable your own account. Ask another admin")
    if code in ("enter_code", "wrong_code"):
        return (_("Enter the 6-digit code from your app") if code == "enter_code" else
                _("The code is not right. Enter the code your app shows now"))
    if code == "no_enrolment":
        return _("Setting up took too long. Scan the new QR code and enter the code your app shows")
    if code == "two_factor_already_on":
        return _("Two-factor sign-in is already on")
    if code == "two_factor_off":
        return _("Two-factor sign-in is not on")
    if code == "two_factor_required":
        return _("Your role must use two-factor sign-in, so it cannot be switched off")
    if code == "enter_code_or_password":
        return _("Enter the code from your app, or your password")
    if code == "wrong_code_or_password":
        return _("The code or password is not right")
    return error.message


# Which form field each refusal is about, for the error summary's links.
ACCOUNT_ERROR_FIELDS = {
    "invalid_email": "email", "email_taken": "email",
    "password_too_short": "password", "password_too_long": "password", "password_is_email": "password",
    "password_too_common": "password",
    "unknown_role": "role", "last_admin": "role", "own_account": "role",
    "organisation_required": "organisation", "organisation_for_providers_only": "organisation",
    "unknown_organisation": "organisation", "unknown_language": "language",
}


def sign_in_refusal_message(refusal: Refusal) -> str:
    """Why signing in did not work, without saying whether the email has an account."""
    if refusal in (Refusal.LOCKED, Refusal.TOO_MANY_ATTEMPTS):
        return _("There have been too many attempts to sign in. Wait 15 minutes and try again")
    if refusal == Refusal.DISABLED:
        return _("This account has been disabled. Ask an administrator if you need it again")
    if refusal == Refusal.WRONG_CODE:
        return _("The code is not right. Enter the code your app shows now")
    if refusal == Refusal.CODE_REUSED:
        return _("This code has already been used. Wait for your app to show a new one")
    return _("Enter a correct email address and password")
