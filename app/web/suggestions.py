"""Report a problem with this page: the public form on every service, and its thank-you page.

The form sets no cookie, like every public page, so it cannot carry the
session-bound CSRF token the rest of the app's forms use: its POST is exempt
from CSRFProtect. That is safe here because the view changes nothing on the
site and acts for no one: it only adds a suggestion to the editors' queue, a
forged cross-site post can do no more than a stranger typing into the form,
and every post must carry a token signed with the app's secret key (issued
by this form, for this service, between 3 seconds and 2 hours before) and
stays within the per-address rate limit. See :mod:`app.editorial.suggestions`.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _

from ..editorial import suggestions
from ..editorial.suggestions import HONEYPOT_FIELD, Refusal, SuggestionInvalid, SuggestionRefused
from . import live_release
from .csrf import csrf
from .editor import editorial_db
from .i18n import request_language

blueprint = Blueprint("suggestions", __name__)

NO_STORE = {"Cache-Control": "no-store"}  # each form carries a fresh token; answers are per visitor


def _service_or_404(service_id: str) -> dict:
    details = live_release().service_details(service_id, request_language())
    if details is None:
        abort(404)
    return details


def _field_error(code: str) -> str:
    if code == "message_missing":
        return _("Enter what is wrong with the page")
    if code == "message_too_long":
        return _("What is wrong must be %(maximum)s characters or fewer",
                 maximum=format_number(suggestions.MAX_MESSAGE_LENGTH))
    return _("Enter an email address in the correct format, like name@example.org")


def _refusal_message(refusal: Refusal) -> str:
    if refusal == Refusal.RATE_LIMITED:
        return _("You have sent several reports in a short time. Please wait an hour and try again, "
                 "or contact the service directly")
    if refusal == Refusal.TOO_FAST:
        return _("That was quicker than we expected. Check your report and send it again")
    if refusal == Refusal.EXPIRED:
        return _("This form was open for a long time, so we could not send it. Check your report and "
                 "send it again")
    return _("Sorry, we could not send your report. Check it and send it again")


def _form(service: dict, *, message: str = "", email: str = "", errors: dict[str, str] | None = None,
          token: str | None = None, status: int = 200):
    token = token or suggestions.form_token(current_app.secret_key, service["id"])
    return render_template("report.html", service=service, message=message, email=email, errors=errors or {},
                           token=token, honeypot=HONEYPOT_FIELD,
                           maximum=format_number(suggestions.MAX_MESSAGE_LENGTH)), status, NO_STORE


@blueprint.get("/services/<service_id>/report")
def report(service_id: str):
    """The form: what is wrong (required), an email address (optional)."""
    return _form(_service_or_404(service_id))


@blueprint.post("/services/<service_id>/report")
@csrf.exempt  # no session on public pages; signed, rate-limited, and it only adds to a queue (see above)
def send_report(service_id: str):
    """Check the report and add it to the editors' queue; the form again with what to fix, if anything."""
    service = _service_or_404(service_id)
    message = request.form.get("message", "")[: suggestions.MAX_MESSAGE_LENGTH * 4]
    email = request.form.get("email", "")[:1000]
    token = request.form.get("token", "")[:1000]
    try:
        suggestions.submit(editorial_db(), current_app.secret_key, service_id=service_id,
                           service_title=service["title"], organisation=service.get("organisation_id"),
                           message=message, email=email, token=token,
                           honeypot=request.form.get(HONEYPOT_FIELD, ""), ip=request.remote_addr)
    except SuggestionInvalid as invalid:
        errors = {field: _field_error(code) for field, code in invalid.errors.items()}
        return _form(service, message=message, email=email, errors=errors, token=token, status=400)
    except SuggestionRefused as refused:
        status = 429 if refused.refusal == Refusal.RATE_LIMITED else 400
        # Too soon: the same token becomes good in a moment. Otherwise a fresh one.
        keep = token if refused.refusal == Refusal.TOO_FAST else None
        return _form(service, message=message, email=email, token=keep, status=status,
                     errors={"message": _refusal_message(refused.refusal)})
    return redirect(url_for("suggestions.thanks", service_id=service_id), 303)


@blueprint.get("/services/<service_id>/report/thanks")
def thanks(service_id: str):
    """Thank you: what happens next."""
    return render_template("report_thanks.html", service=_service_or_404(service_id)), 200, NO_STORE
