"""The entry forms (a service's, and the plain ones of organisations, hubs and pages): choices, labels,
errors beside fields, preview, the warning about other changes under way, and what the buttons do.

Used by the pages that start a change (:mod:`.entries`) and that carry one on
(:mod:`.changes`). The checking is the loader's (``earlyhelp check``'s rules,
through :func:`app.editorial.changes.check`); this module only puts each
problem next to its field and in the error summary.
"""

from __future__ import annotations

import re

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...content.fields import ID_PATTERN
from ...content.markdown import render_markdown
from ...content.model import ACCESS_ROUTES, DELIVERY_MODES, EVIDENCE_RATINGS, STATUSES
from ...content.problems import Problem
from ...editorial import changes as workflow
from ...editorial import diffs, kinds
from ...editorial.content_cache import reference_content
from ...editorial.service_form import (
    MIN_VENUE_ROWS,
    SECTIONS,
    VENUE_KEYS,
    ParsedForm,
    section_of,
    section_of_field_id,
)
from . import editorial_db, translation_form
from .guard import current_user

PLACEHOLDER_ID = "new-entry"  # checks a new entry's other fields while its id is still wrong
_SHA256 = re.compile(r"^[0-9a-f]{64}$")

LABELS = {
    "entry": _l("The entry"), "id": _l("Id"), "title": _l("Title"), "summary": _l("Summary"),
    "organisation": _l("Organisation"), "needs": _l("Needs"), "ages-min": _l("Youngest age"),
    "ages-max": _l("Oldest age"), "ages-pregnancy": _l("Pregnancy"), "levels": _l("Levels of need"),
    "hubs": _l("Hubs"), "access": _l("How families get the service"), "how-to-access": _l("How to access"),
    "free": _l("Free"), "cost": _l("Cost"), "delivery": _l("Delivery"), "languages": _l("Languages"),
    "interpreters": _l("Interpreters"), "contact-phone": _l("Phone"), "contact-email": _l("Email"),
    "contact-website": _l("Website"), "contact-referral-form": _l("Referral form"),
    "evidence-rating": _l("Evidence rating"), "evidence-source": _l("Evidence source"),
    "evidence-url": _l("Evidence link"), "keywords": _l("Keywords"), "status": _l("Status"),
    "last-reviewed": _l("Last reviewed"), "review-months": _l("Review every (months)"),
    "body": _l("Description"),
    # the plain forms (organisations, hubs, pages)
    "name": _l("Name"), "website": _l("Website"), "phone": _l("Phone"), "email": _l("Email"),
    "address": _l("Address"), "postcode": _l("Postcode"), "covers": _l("Postcode areas covered"),
    "wards": _l("Wards"), "opening-hours": _l("Opening hours"),
    # the taxonomy's columns
    "label": _l("Label"), "description": _l("Description"), "synonyms": _l("Synonyms"),
    "min": _l("Youngest age"), "max": _l("Oldest age"), "pregnancy": _l("Pregnancy"),
}
# Hints of the plain forms' fields, by kind and field id.
HINTS = {
    ("organisation", "website"): _l("Starting https://"),
    ("hub", "covers"): _l("Postcode districts or sectors, separated by commas, such as N17, N15 3. No two "
                          "hubs may cover the same area."),
    ("hub", "wards"): _l("Optional, separated by commas."),
    ("hub", "opening-hours"): _l("Optional, such as: Monday to Friday 9am to 5pm"),
    ("hub", "phone"): _l("Give a phone number or an email address, or both."),
    ("page", "summary"): _l("Optional: one plain sentence, shown under the title and in search engines."),
}
BODY_HINTS = {
    "service": _l("Markdown: what happens, who it is for. Use ## for headings, - for lists, "
                  "[text](https://...) for links. Press Preview to see it."),
    "organisation": _l("Markdown: what the organisation does. Press Preview to see it."),
    "hub": _l("Markdown: what the hub offers and how to drop in. Press Preview to see it."),
    "page": _l("Markdown: the page's text. Use ## for headings, - for lists, [text](https://...) for links. "
               "Press Preview to see it."),
}
ID_HINTS = {
    "service": _l("The address of the service page: a to z, 0 to 9 and hyphens, such as "
                  "parenting-group-west. It cannot be changed later."),
    "organisation": _l("A to z, 0 to 9 and hyphens, such as example-family-support. It cannot be changed "
                       "later."),
    "hub": _l("A to z, 0 to 9 and hyphens, such as west. It cannot be changed later."),
    "page": _l("The address of the page: a to z, 0 to 9 and hyphens, such as about. It cannot be changed "
               "later."),
}
KIND_NAMES = {"service": _l("service"), "organisation": _l("organisation"), "hub": _l("hub"),
              "page": _l("page"), "taxonomy": _l("taxonomy"), "service_translation": _l("translation"),
              "hub_translation": _l("translation"), "page_translation": _l("translation"),
              "taxonomy_translation": _l("translation")}


def kind_name(kind: str) -> str:
    """"service", "organisation", "hub" or "page", in the reader's language."""
    return str(KIND_NAMES.get(kind, kind))
VENUE_LABELS = {"name": _l("Venue name"), "address": _l("Address"), "postcode": _l("Postcode"),
                "hub": _l("Hub"), "hours": _l("Opening hours"), "schedule": _l("When"),
                "accessibility": _l("Accessibility")}
ACCESS_LABELS = {"self-referral": _l("Self-referral"), "professional-referral": _l("Professional referral"),
                 "early-help-hub": _l("Through the Early Help Hub"), "drop-in": _l("Drop-in")}
DELIVERY_LABELS = {"in-person": _l("In person"), "online": _l("Online"), "phone": _l("By phone"),
                   "home-visit": _l("Home visits")}
STATUS_LABELS = {"published": _l("Published"), "draft": _l("Draft (not shown)"),
                 "archived": _l("Archived (not shown)")}


def field_label(field_id: str) -> str:
    """The label of the form field ``field_id`` (venue fields name their row)."""
    match = re.match(r"^venue-([0-9]+)-([a-z_]+)$", field_id)
    if match:
        return _("Venue %(number)s: %(field)s", number=int(match.group(1)) + 1,
                 field=VENUE_LABELS.get(match.group(2), match.group(2)))
    return str(LABELS.get(field_id, field_id))


SECTION_TITLES = {
    "about": _l("About the service"), "who": _l("Who it is for"), "access": _l("How to get help"),
    "cost": _l("Cost and languages"), "contact": _l("Contact"), "venues": _l("Venues and opening hours"),
    "evidence": _l("Evidence"), "review": _l("Review and status"),
}


def form_sections(errors: dict[str, str], changed: diffs.Diff | None, new: bool) -> list[dict]:
    """The service form's sections: title, the fields with errors, what changed from the live entry,
    and whether it starts open. A section starts open when it has an error or a change, and every
    section of a new entry does (there is nothing yet to leave alone); the others start closed, so a
    phone shows the list of sections rather than 80 fields."""
    rows: dict[str, list] = {section: [] for section, _names in SECTIONS}
    for row in changed.fields if changed else []:
        rows.setdefault(section_of(row.field) or "about", []).append(row)
    found = []
    for section, _names in SECTIONS:
        problems = [field_id for field_id in errors if section_of_field_id(field_id) == section]
        body_changed = bool(changed and changed.body) and section == section_of("body")
        count = len(rows[section]) + (1 if body_changed else 0)
        found.append({"id": section, "title": str(SECTION_TITLES[section]), "errors": problems,
                      "changes": rows[section], "body_changed": body_changed, "change_count": count,
                      "open": new or bool(problems) or bool(count)})
    return found


GROUP_LABELS = {"contact": _l("Contact"), "ages": _l("Ages"), "evidence": _l("Evidence")}


def problem_message(field_id: str, problem: Problem) -> str:
    """One problem, as the error summary and the field show it."""
    label = str(GROUP_LABELS[problem.field]) if problem.field in GROUP_LABELS else field_label(field_id)
    if problem.message == "is required":
        return _("%(field)s is required", field=label)
    return _("%(field)s: %(message)s", field=label, message=problem.message)


def errors_for(problems: list[Problem], venue_rows: list[int] | None = None,
               kind: str = "service") -> dict[str, str]:
    """Form field id -> message, several problems on one field joined, in the order of the form."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        field_id = kinds.field_id_for(kind, problem.field, venue_rows)
        errors.setdefault(field_id, []).append(problem_message(field_id, problem))
    return {field_id: " ".join(dict.fromkeys(messages)) for field_id, messages in errors.items()}


def choices(user) -> dict:
    """The options of the service form's selects and checkboxes, from the content folder."""
    content = reference_content(current_app.config["CONTENT_DIR"], workflow.today())
    organisations = sorted(((org.id, org.name) for org in content.organisations.values()),
                           key=lambda pair: pair[1].casefold())
    if user.role == "provider":
        organisations = [pair for pair in organisations if pair[0] == user.organisation]
    return {
        "organisations": organisations,
        "needs": [(need.id, need.label) for need in content.needs.values()],
        "levels": [(str(level.id), f"{level.id}: {level.label}") for level in content.levels.values()],
        "hubs": [(hub.id, hub.name) for hub in content.hubs.values()],
        "access": [(value, str(ACCESS_LABELS.get(value, value))) for value in ACCESS_ROUTES],
        "delivery": [(value, str(DELIVERY_LABELS.get(value, value))) for value in DELIVERY_MODES],
        "statuses": [(value, str(STATUS_LABELS.get(value, value))) for value in STATUSES],
        "ratings": [("", _("None"))] + [(value, value) for value in EVIDENCE_RATINGS],
        "venue_hubs": [("", _("No hub"))] + [(hub.id, hub.name) for hub in content.hubs.values()],
    }


def plain_fields(kind: str) -> list[dict]:
    """The fields of a plain form, in order, with their labels and hints."""
    return [{"id": kinds.form_id(key), "widget": widget, "label": field_label(kinds.form_id(key)),
             "hint": str(HINTS[(kind, kinds.form_id(key))]) if (kind, kinds.form_id(key)) in HINTS else None}
            for key, widget in kinds.kind_of(kind).form_fields]


def _changed(kind: str, entry_id: str | None, proposed: tuple[dict, str] | None) -> diffs.Diff | None:
    """What ``proposed`` (fields, body) changes in the live entry; None when there is no live entry."""
    if entry_id is None:
        return None
    live = workflow.read_live(current_app.config["CONTENT_DIR"], kind, entry_id)
    if live is None:
        return None
    if proposed is None:
        return diffs.Diff()
    fields, body = proposed
    return diffs.diff(live.fields, live.body, fields, body, kinds.kind_of(kind).order)


def render_form(kind: str, *, title: str, action: str, values: dict, errors: dict | None = None,
                new: bool = False, base_sha256: str | None = None, change=None, preview: str | None = None,
                entry_id: str | None = None, proposed: tuple[dict, str] | None = None, status: int = 200):
    """The form page of an entry of ``kind``, warning of the other changes to it under way.

    ``proposed``: the (fields, body) the form shows, when they may differ from the live entry (a
    change, or a form posted back); a service's form then says what they change, section by section.
    """
    errors = errors or {}
    spec = kinds.kind_of(kind)
    entry = change.entry_id if change is not None else entry_id
    if kind == "service":
        changed = _changed(kind, entry, proposed)
        sections = form_sections(errors, changed, new=changed is None)
        template = "editor/service_form.html"
        extra = {"choices": choices(current_user()), "changed": changed, "display": diffs.display,
                 "sections": sections, "by_section": {section["id"]: section for section in sections}}
    elif spec.terms:
        template = "editor/terms_form.html"
        extra = {"columns": [{"id": kinds.form_id(key), "widget": widget,
                              "label": field_label(kinds.form_id(key))}
                             for key, widget in kinds.term_columns(kind, entry)],
                 "rows": translation_form.term_rows(kind, entry, values)}
        if spec.translates:
            extra.update(translation_form.language_context(kinds.split_translation_id(entry)[1]))
            extra["stale"] = translation_form.translation_status(kind, entry) == "stale"
    elif spec.translates:
        template = "editor/translation_form.html"
        extra = {"fields": plain_fields(kind), **translation_form.translation_context(kind, entry)}
    else:
        template, extra = "editor/entry_form.html", {"fields": plain_fields(kind)}
    if kind in kinds.TRANSLATION_OF and entry and not new:
        extra["translations"] = translation_form.translations_list(kind, entry)
    others = []
    if entry_id or change is not None:
        others = [other for other in workflow.other_open_changes(
                      editorial_db(), kind, change.entry_id if change else entry_id,
                      besides=change.id if change else None)
                  if workflow.may_see(current_user(), other)]
    return render_template(template, title=title, action=action, values=values, errors=errors, new=new,
                           base_sha256=base_sha256 or "", change=change, preview=preview, kind=kind,
                           kind_name=kind_name(kind), id_hint=ID_HINTS.get(kind, ""),
                           body_hint=BODY_HINTS.get(kind, _l("Markdown: translate the English text.")),
                           other_changes=others, field_label=field_label, **extra), status


def parse(kind: str, entry_id: str | None = None) -> tuple[ParsedForm, dict[str, str]]:
    """The posted form, and the problems ``earlyhelp check`` finds in it, by field id."""
    errors: dict[str, str] = {}
    if entry_id is None:  # a new entry: the id comes from the form
        entry_id = (request.form.get("id") or "").strip()
        if not entry_id:
            errors["id"] = _("Enter an id, such as %(example)s",
                             example="parenting-group-west" if kind == "service" else "west")
        elif not ID_PATTERN.match(entry_id) or len(entry_id) > 100:
            errors["id"] = _("The id must use only a to z, 0 to 9 and single hyphens, up to 100 characters")
        elif workflow.read_live(current_app.config["CONTENT_DIR"], kind, entry_id) is not None:
            errors["id"] = _("There is already a %(kind)s with this id", kind=kind_name(kind))
    parsed = kinds.fields_from_form(kind, request.form, entry_id if "id" not in errors else PLACEHOLDER_ID)
    problems = workflow.check(current_app.config["CONTENT_DIR"], kind, parsed.entry_id, parsed.fields,
                              parsed.body)
    for field_id, message in errors_for(problems, parsed.venue_rows, kind).items():
        errors.setdefault(field_id, message)
    if "id" in errors:
        parsed.entry_id = entry_id
        if kinds.kind_of(kind).id_in_file:
            parsed.fields["id"] = entry_id
    return parsed, errors


def posted_base() -> str | None:
    """The live file's hash when the form was first shown (a hidden field), if it looks like one."""
    value = (request.form.get("base_sha256") or "").strip()
    return value if _SHA256.match(value) else None


def button() -> str:
    """Which button was pressed: ``preview``, ``submit`` or ``save`` (the default, as for Enter)."""
    value = request.form.get("action", "")
    return value if value in ("preview", "submit") else "save"


def preview_html(parsed: ParsedForm) -> str:
    """The body as the public page will show it: Markdown rendered and sanitised."""
    return render_markdown(parsed.body)


def values_of(kind: str, parsed: ParsedForm) -> dict:
    """The form's values again, from what was posted (venue rows keep their places)."""
    values = kinds.form_from_fields(kind, parsed.fields, parsed.body, parsed.entry_id)
    if kind != "service":
        return values
    filled = values["venues"][:len(parsed.venue_rows)]
    by_row = dict(zip(parsed.venue_rows, filled, strict=True))
    count = max(MIN_VENUE_ROWS, (max(parsed.venue_rows) + 2) if parsed.venue_rows else 0)
    values["venues"] = [by_row.get(index, dict.fromkeys(VENUE_KEYS, "")) for index in range(count)]
    return values


def carry_on_with_open_change(user, kind: str, entry_id: str):
    """A redirect to the change ``user`` already has open on the entry (one at a time), or None."""
    mine = workflow.open_change_by(editorial_db(), user, kind, entry_id)
    if mine is None:
        return None
    flash(_("You already have a change to this entry that is not yet in review: carry on with it."), "info")
    return redirect(url_for("editor.edit_change", change_id=mine.id), 303)


def answer_before_saving(kind: str, parsed: ParsedForm, errors: dict[str, str], values: dict, pressed: str,
                         *, refuse: bool = False, **form):
    """The answer to a posted form when nothing is saved: the form with a preview ("Preview"), or the
    form again with its errors (status 400) when it was submitted with errors or ``refuse``; None
    when the change may be saved. ``form``: the other arguments of :func:`render_form`."""
    if pressed == "preview":
        return render_form(kind, values=values, errors=errors, preview=preview_html(parsed), **form)
    if refuse or (pressed == "submit" and errors):
        return render_form(kind, values=values, errors=errors, status=400, **form)
    return None


def after_saving(change, submitted: bool):
    """Where to go once a change was saved (and perhaps submitted)."""
    if submitted:
        flash(_("Sent %(title)s for review. A publisher will check it.", title=change.title), "success")
        return redirect(url_for("editor.change", change_id=change.id), 303)
    flash(_("Saved your draft of %(title)s. It is not live until it is submitted and approved.",
            title=change.title), "success")
    return redirect(url_for("editor.change", change_id=change.id), 303)


def save_and_maybe_submit(change, submit: bool):
    """Submit ``change`` when asked; the redirect to its page either way."""
    if submit:
        change = workflow.submit(editorial_db(), current_app.config["CONTENT_DIR"], change.id, current_user(),
                                 ip=request.remote_addr)
    return after_saving(change, submit)
