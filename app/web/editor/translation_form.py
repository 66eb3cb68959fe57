"""What the translation and taxonomy forms show beside the fields: the English source of each translated
field (side by side on a wide screen, one above the other on a phone), the language with its direction
(``lang`` and ``dir`` on every translated field, so Arabic and Urdu are typed right to left), and the
rows of a taxonomy's terms."""

from __future__ import annotations

from babel import Locale
from flask import current_app
from flask_babel import get_locale

from ...editorial import changes as workflow
from ...editorial import diffs, kinds, translation_state
from ...editorial.content_cache import reference_content
from ..i18n import text_direction


def language_name(code: str) -> str:
    """``pl`` -> "Polish (pl)", in the editor's own language, with the code of the files."""
    return f"{Locale.parse(code).get_display_name(get_locale()) or code} ({code})"


def language_context(language: str) -> dict:
    return {"target_lang": language, "language_name": language_name(language),
            "target_dir": text_direction(language)}


def english_of(kind: str, entry_id: str) -> tuple[str, str, workflow.LiveEntry | None]:
    """(English kind, English id, the English entry now) of a translation."""
    english_id, _language = kinds.split_translation_id(entry_id)
    english_kind = kinds.kind_of(kind).translates
    return english_kind, english_id, workflow.read_live(current_app.config["CONTENT_DIR"], english_kind,
                                                        english_id)


def translation_status(kind: str, entry_id: str) -> str:
    """Whether the translation ``entry_id`` is up to date with its English, out of date, or missing."""
    english_kind = kinds.kind_of(kind).translates
    english_id, language = kinds.split_translation_id(entry_id)
    found = [state for state in translations_list(english_kind, english_id) if state.language == language]
    return found[0].status if found else translation_state.MISSING


def translation_context(kind: str, entry_id: str) -> dict:
    """The English source of a translation form: each field's text, the body, the title."""
    english_kind, english_id, english = english_of(kind, entry_id)
    fields = english.fields if english else {}
    venues = fields.get("venues") if kind == "service_translation" else None
    venues = [venue for venue in venues if isinstance(venue, dict)] if isinstance(venues, list) else []
    return {**language_context(kinds.split_translation_id(entry_id)[1]),
            "english_venues": [{key: diffs.display(venue.get(key))
                                for key in ("name", *kinds.TRANSLATED_VENUE)} for venue in venues],
            "english": {kinds.form_id(key): diffs.display(fields.get(key))
                        for key, _widget in kinds.kind_of(kind).form_fields},
            "english_body": english.body if english else "",
            "english_title": kinds.entry_title(english_kind, english_id, fields),
            "english_kind": english_kind, "english_id": english_id,
            "stale": translation_status(kind, entry_id) == translation_state.STALE}


def term_rows(kind: str, entry_id: str, values: dict) -> list[dict]:
    """The rows of a taxonomy form: one per term (and two empty ones to add a term); of a translation of
    one: one per English term, with the English text of each column beside the translated."""
    columns = kinds.term_columns(kind, entry_id)
    if not kinds.kind_of(kind).translates:
        return [{"id": row["id"] if not row["id"].startswith("-") else "", "english": None,
                 "values": row} for row in values.get("terms", [])]
    _english_kind, _english_id, english = english_of(kind, entry_id)
    translated = {row["id"]: row for row in values.get("terms", [])}
    rows = []
    for term_id, term in (english.fields if english else {}).items():
        term = term if isinstance(term, dict) else {}
        english_text = {kinds.form_id(key): diffs.display(term.get(key)) for key, _widget in columns}
        rows.append({"id": term_id, "english": english_text, "values": translated.get(term_id, {})})
    return rows


def translations_list(kind: str, entry_id: str) -> list[translation_state.TranslationState]:
    """The translations of the English entry ``entry_id`` of ``kind``, one per offered language."""
    on = workflow.today()
    content = reference_content(current_app.config["CONTENT_DIR"], on)
    return translation_state.translations_of(content, kind, entry_id, on)
