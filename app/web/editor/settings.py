"""The site settings (``content/site.yml``), for admins: the form, saving and publishing it, its history.

The checking, writing, publishing and audit log are in
:mod:`app.editorial.settings` (why settings are saved directly rather than
through reviewed changes is explained there); these views turn the form into
data and refusals into messages beside the fields.
"""

from __future__ import annotations

from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...catalogues import catalogue_languages
from ...content.problems import Problem
from ...editorial import changes as workflow
from ...editorial import diffs, instance_settings, settings
from ...editorial.publishing import PublishFailed
from . import blueprint, editorial_db
from .entry_form import posted_base
from .guard import current_user, role_required

LABELS = {
    "settings": _l("The settings"), "name": _l("Name of the directory"), "council": _l("Council"),
    "front-door-name": _l("Front door: name"), "front-door-phone": _l("Front door: phone"),
    "front-door-email": _l("Front door: email"), "front-door-website": _l("Front door: website"),
    "emergency": _l("Emergency sentence"), "quick-exit-url": _l("Quick exit address"),
    "review-months": _l("Review entries every (months)"), "languages": _l("Languages offered"),
    "default-language": _l("Default language"),
}
HINTS = {
    "name": _l("Shown in the header and page titles, such as Example Borough Early Help Directory."),
    "front-door-name": _l("Where to go when worried about a child, such as Children's Front Door (MASH). "
                          "Every public page names it."),
    "front-door-phone": _l("Required: digits and spaces, such as 020 7946 0100."),
    "front-door-website": _l("Optional, starting https://"),
    "emergency": _l("Optional: one sentence, such as: If a child is in immediate danger, call 999."),
    "quick-exit-url": _l("Where \"Exit this page\" goes: a harmless site, starting https://"),
    "review-months": _l("A whole number from 1 to 60; a service may set its own."),
    "languages": _l("Only languages with a translated interface can be offered. English is always offered."),
    "default-language": _l("Must be one of the languages offered."),
}
# Which form field a problem from the checks is about: site.yml key -> form field id.
FIELD_IDS = {
    "name": "name", "council": "council", "front_door.name": "front-door-name",
    "front_door.phone": "front-door-phone", "front_door.email": "front-door-email",
    "front_door.website": "front-door-website", "front_door": "front-door-phone", "emergency": "emergency",
    "quick_exit_url": "quick-exit-url", "review_months": "review-months", "languages": "languages",
    "default_language": "default-language",
}
FORM_ORDER = ("settings", "name", "council", "front-door-name", "front-door-phone", "front-door-email",
              "front-door-website", "emergency", "quick-exit-url", "review-months", "languages",
              "default-language")


def field_label(field_id: str) -> str:
    return str(LABELS.get(field_id, field_id))


def field_id_for(problem_field: str) -> str:
    """The form field a problem is about (``languages[2]`` -> ``languages``); else the whole form."""
    name = (problem_field or "").split("[")[0]
    return FIELD_IDS.get(name) or FIELD_IDS.get(name.split(".")[0]) or "settings"


def errors_for(problems: list[Problem]) -> dict[str, str]:
    """Form field id -> message, in the order of the form."""
    found: dict[str, list[str]] = {}
    for problem in problems:
        field_id = field_id_for(problem.field)
        label = field_label(field_id)
        if problem.message == "is required":
            message = _("%(field)s is required", field=label)
        elif field_id == "settings":
            message = _("%(field)s: %(message)s", field=problem.field, message=problem.message)
        else:
            message = _("%(field)s: %(message)s", field=label, message=problem.message)
        found.setdefault(field_id, []).append(message)
    order = {field_id: index for index, field_id in enumerate(FORM_ORDER)}
    return {field_id: " ".join(dict.fromkeys(messages))
            for field_id, messages in sorted(found.items(), key=lambda item: order.get(item[0], 0))}


def _catalogues() -> list[str]:
    folder = Path(current_app.config.get("BABEL_TRANSLATION_DIRECTORIES", "translations").split(";")[0])
    return catalogue_languages(folder)


def language_name(code: str) -> str:
    """``pl`` -> "Polish (polski), pl"; just the code when babel does not know it."""
    try:
        locale = Locale.parse(code)
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    english, native = locale.get_display_name("en"), locale.get_display_name()
    if not english:
        return code
    return f"{english} ({native}), {code}" if native and native != english else f"{english}, {code}"


def _language_options(values: dict) -> list[tuple[str, str]]:
    """English, the languages in the form in their order, then the other catalogues' languages."""
    codes = [settings.ENGLISH]
    for code in [*values.get("languages", []), *_catalogues()]:
        if code not in codes:
            codes.append(code)
    return [(code, language_name(code)) for code in codes]


def _page(values: dict, *, base_sha256: str, errors: dict | None = None, diff: list[str] | None = None,
          problems: list[str] | None = None, conflict: bool = False, restoring=None, status: int = 200):
    languages = _language_options(values)
    return render_template(
        "editor/settings.html", title=_("Site settings"), values=values, errors=errors or {},
        base_sha256=base_sha256, diff=diff, problems=problems or [], conflict=conflict, restoring=restoring,
        language_options=languages, default_options=languages, field_label=field_label,
        hints={field_id: str(hint) for field_id, hint in HINTS.items()},
        catalogues=", ".join(sorted({settings.ENGLISH, *_catalogues()})),
        self_approval=workflow.self_approval_allowed(editorial_db())), status


def _content_dir() -> Path:
    return Path(current_app.config["CONTENT_DIR"])


@blueprint.route("/settings", methods=["GET", "POST"])
@role_required("admin")
def settings_form():
    """The settings filled from ``site.yml`` (or from an earlier version), and saving them."""
    live = settings.read_live(_content_dir())
    live_data = live.data if live else {}
    live_sha = live.sha256 if live else ""
    if request.method == "GET":
        restoring = None
        if request.args.get("version"):
            restoring = _version_or_404(request.args.get("version", type=int) or 0)
            return _page(settings.form_from_data(settings.version_data(restoring.text)), base_sha256=live_sha,
                         restoring=restoring)
        return _page(settings.form_from_data(live_data), base_sha256=live_sha)
    base = posted_base() or (live.sha256 if live else None)  # None: there was no file to start from
    data = settings.data_from_form(request.form, live_data)
    values = settings.form_from_data(data)
    if request.form.get("action") == "preview":
        errors = errors_for(settings.problems(data, _catalogues()))
        try:
            proposed = settings.render(data, live.text if live else None)
        except (ValueError, TypeError):
            proposed = None
        return _page(values, base_sha256=base or "", errors=errors,
                     diff=diffs.line_diff(live.text if live else None, proposed) if proposed else [])
    user = current_user()
    try:
        published = settings.save(editorial_db(), _content_dir(), Path(current_app.config["INDEX_DIR"]), data,
                                  user, base_sha256=base, catalogues=_catalogues(), ip=request.remote_addr)
    except settings.SettingsError as refused:
        if refused.code == "invalid":
            return _page(values, base_sha256=base or "", errors=errors_for(refused.problems), status=400)
        if refused.code == "unchanged":
            flash(_("Nothing has changed: the settings are already as the form says."), "info")
            return redirect(url_for("editor.settings_form"), 303)
        # A conflict: someone changed site.yml since the form was filled. Nothing was overwritten; show what
        # is live now against this form, and take the live file as the base, so saving again is deliberate.
        now = refused.live
        proposed = settings.render(data, now.text if now else None)
        return _page(values, base_sha256=now.sha256 if now else "", conflict=True,
                     diff=diffs.line_diff(now.text if now else None, proposed), status=409)
    except PublishFailed as failure:
        return _page(values, base_sha256=base or "", problems=failure.problems, status=409)
    flash(_("Saved the site settings. The live site uses them now (release %(release)s).",
            release=published.release_id), "success")
    return redirect(url_for("editor.settings_form"), 303)


@blueprint.post("/settings/self-approval")
@role_required("admin")
def self_approval_setting():
    """Switch on or off whether admins may approve and publish their own changes (audited)."""
    allowed = request.form.get("allow-self-approval") == "1"
    user = current_user()
    changed = instance_settings.put(editorial_db(), workflow.SELF_APPROVAL, allowed, actor=user.email,
                                    actor_id=user.id, ip=request.remote_addr)
    if not changed:
        flash(_("Nothing has changed."), "info")
    elif allowed:
        flash(_("Admins can now approve and publish their own changes. Each one is recorded in the audit "
                "log as self-approved."), "success")
    else:
        flash(_("Every change needs a second person to approve it again."), "success")
    return redirect(url_for("editor.settings_form", _anchor="self-approval"), 303)


def _version_or_404(version_id: int) -> workflow.Version:
    version = workflow.get_version(editorial_db(), version_id)
    if version is None or version.kind != settings.HISTORY_KIND or version.text is None:
        abort(404)
    return version


@blueprint.get("/settings/history")
@role_required("admin")
def settings_history():
    """Every recorded version of the settings, newest first, each with what it changed."""
    db = editorial_db()
    live = settings.read_live(_content_dir())
    versions = workflow.versions(db, settings.HISTORY_KIND, settings.HISTORY_ID)
    shown = []
    for index, version in enumerate(versions):
        previous = versions[index + 1] if index + 1 < len(versions) else None
        shown.append({"version": version, "is_live": bool(live and live.sha256 == version.sha256),
                      "diff": diffs.line_diff(previous.text if previous else None, version.text,
                                                   ("before", "after"))})
    return render_template("editor/settings_history.html", title=_("History of the site settings"),
                           versions=shown)
