"""Translations and the taxonomy in the editor, through the same draft -> review -> publish loop as entries.

The taxonomy files (needs, age bands, levels) and the translations of services,
hubs, pages and taxonomies are kinds of entry (:mod:`app.editorial.kinds`):
their history, versions and restoring are the views of :mod:`.entries`,
registered here under ``/editor/taxonomy/`` and ``/editor/translations/<folder>/``.
What differs is here: the lists, and the translation form, which starts a new
translation when there is none yet. Approving a translation stamps it with the
English source it now matches (:func:`app.editorial.changes.approve`).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ...editorial import changes as workflow
from ...editorial import kinds, translation_state
from ...editorial.changes import ChangeError
from ...editorial.content_cache import full_content, reference_content
from ...editorial.kinds import Kind
from . import blueprint, editorial_db, entry_form
from .entries import LIST_TITLES, PER_PAGE, entry_url, entry_urls, register_kind
from .guard import current_user
from .translation_form import language_name

STATUS_LABELS = {translation_state.UP_TO_DATE: _l("Up to date"), translation_state.STALE: _l("Out of date"),
                 translation_state.MISSING: _l("Not translated")}


def translation_status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def _content(kind: Kind):
    """The content folder as loaded: the services only for their translations."""
    load = full_content if kind.translates == "service" else reference_content
    return load(current_app.config["CONTENT_DIR"], workflow.today())


def list_taxonomies(kind: Kind):
    """The three taxonomy files, each to edit, with its changes under way and history."""
    pending: dict[str, list] = {}
    for change in workflow.list_changes(editorial_db(), kind=kind.name):
        pending.setdefault(change.entry_id, []).append(change)
    entries = [{"id": name, "title": kinds.entry_title(kind.name, name, {})} for name in kinds.TAXONOMIES]
    return render_template("editor/entries.html", title=str(LIST_TITLES[kind.name]), kind=kind.name,
                           kind_name=entry_form.kind_name(kind.name), query="", entries=entries,
                           total=len(entries), page=1, pages=1, pending=pending, organisations={},
                           edit_url=entry_urls(kind.name, "edit"),
                           history_url=entry_urls(kind.name, "history"),
                           may_add=False, add_title="")


def list_translations(kind: Kind):
    """Every translation of the kind there is, out of date first, found by title, id or language."""
    query = request.args.get("q", "").strip()[:200].casefold()
    found = [state for state in translation_state.existing_translations(_content(kind), kind.name)
             if not query or query in state.title.casefold() or query in state.entry_id]
    found.sort(key=lambda state: (state.status != translation_state.STALE, state.english_id, state.language))
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, (len(found) + PER_PAGE - 1) // PER_PAGE)
    page = min(page, pages)
    pending: dict[str, list] = {}
    for change in workflow.list_changes(editorial_db(), kind=kind.name):
        pending.setdefault(change.entry_id, []).append(change)
    lists = [(other.name, str(LIST_TITLES[other.name])) for other in kinds.TRANSLATION_OF.values()]
    return render_template("editor/translations.html", title=str(LIST_TITLES[kind.name]), kind=kind.name,
                           query=request.args.get("q", "").strip()[:200], lists=lists,
                           items=found[(page - 1) * PER_PAGE:page * PER_PAGE], total=len(found), page=page,
                           pages=pages, pending=pending)


def translate_entry(kind: Kind, entry_id: str):
    """The translation side by side with its English source; saving starts a change (a new translation
    when there is none yet), which a publisher approves like any other."""
    if not kind.valid_id(entry_id):
        abort(404)
    english_id, language = kinds.split_translation_id(entry_id)
    content_dir = current_app.config["CONTENT_DIR"]
    english = workflow.read_live(content_dir, kind.translates, english_id)
    reference = reference_content(content_dir, workflow.today())
    if english is None or language not in translation_state.languages(reference):
        abort(404)
    user = current_user()
    open_change = entry_form.carry_on_with_open_change(user, kind.name, entry_id)
    if open_change is not None:
        return open_change
    live = workflow.read_live(content_dir, kind.name, entry_id)
    title = _("%(language)s translation of %(title)s", language=language_name(language),
              title=kinds.entry_title(kind.translates, english_id, english.fields))
    form = {"title": title, "action": entry_url(kind.name, "edit", entry_id=entry_id), "entry_id": entry_id}
    if request.method == "GET":
        values = kinds.form_from_fields(kind.name, live.fields if live else {}, live.body if live else "",
                                        entry_id)
        return entry_form.render_form(kind.name, values=values, base_sha256=live.sha256 if live else None,
                                      **form)
    parsed, errors = entry_form.parse(kind.name, entry_id)
    parsed.fields = kinds.keep_fields(kind.name, parsed.fields, live.fields if live else None)
    pressed = entry_form.button()
    values = entry_form.values_of(kind.name, parsed)
    base = (entry_form.posted_base() or live.sha256) if live else None
    answer = entry_form.answer_before_saving(kind.name, parsed, errors, values, pressed, base_sha256=base,
                                             **form)
    if answer is not None:
        return answer
    try:
        change = workflow.start(editorial_db(), content_dir, user, kind.name, entry_id, fields=parsed.fields,
                                body=parsed.body, base_sha256=base,
                                action=workflow.EDIT if live else workflow.CREATE, ip=request.remote_addr)
    except ChangeError:  # the translation was added or removed meanwhile: start again from it
        flash(_("This translation has changed since the form was shown. Here it is as it is now."), "info")
        return redirect(entry_url(kind.name, "edit", entry_id=entry_id), 303)
    return entry_form.save_and_maybe_submit(change, pressed == "submit")


register_kind(kinds.TAXONOMY, {"list": list_taxonomies})
for _kind in kinds.TRANSLATION_OF.values():
    register_kind(_kind, {"list": list_translations, "edit": translate_entry})


@blueprint.context_processor
def translation_labels():
    return {"translation_status_label": translation_status_label, "language_label": language_name}
