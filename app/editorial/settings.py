"""The site's settings (``content/site.yml``), changed by an admin in the browser.

Unlike entries, settings do not go through the reviewed change workflow of
:mod:`.changes`: they are the admin's alone (a publisher must not be the one to
approve them, and a council with a single admin could then never change them),
and the workflow's tables, paths and diffs are built for Markdown entries
with front matter, not for one YAML file. An admin's save is therefore
direct, but just as safe:

- the new file is checked with the rules of ``earlyhelp check``
  (:func:`app.content.writing.site_problems`), plus two of the editor's own:
  every language offered must have an interface catalogue (or be English), and
  the quick exit must leave over https;
- it is written and published by :func:`.publishing.write_and_publish`, so a
  failed publish puts the file back byte for byte and the live site stays as
  it was;
- the write is refused when ``site.yml`` is no longer the file the form was
  filled from (``expected_sha256``): a concurrent change is never overwritten
  silently, the admin sees what is live now and saves again deliberately;
- every version published is kept in ``history`` (kind ``settings``), the one
  found on disk too when it never came through the editor, so an earlier
  version can be loaded into the form again; every save, conflict and failed
  publish is written to the audit log.

Fields the form does not know (a newer format's, say) are kept as they are, and
so are the file's comments, key order and the layout of the values not changed
(:func:`app.content.writing.update_site_text`, ruamel.yaml's round-trip mode).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..content.problems import Problem
from ..content.writing import SITE_ORDER, render_site, sha256_of, site_problems, update_site_text
from ..content.yamlfile import EntryFileError, YamlFileError, parse_yaml, read_entry_bytes
from . import audit, instance
from .accounts import User
from .diffs import jsonable
from .instance import transaction
from .publishing import Author, FileChanged, Published, PublishFailed, write_and_publish

SITE_FILE = "site.yml"
HISTORY_KIND, HISTORY_ID = "settings", "site"  # how the settings' versions are filed in ``history``
ENGLISH = "en"
MAX_TEXT = 2000  # longer than any sensible setting; keeps a hostile post from growing the file
_DIGITS = re.compile(r"^[0-9]{1,6}$")
# Form field -> (key in site.yml, key inside front_door or None).
FORM_FIELDS = {
    "name": ("name", None), "council": ("council", None),
    "front-door-name": ("front_door", "name"), "front-door-phone": ("front_door", "phone"),
    "front-door-email": ("front_door", "email"), "front-door-website": ("front_door", "website"),
    "emergency": ("emergency", None), "quick-exit-url": ("quick_exit_url", None),
    "review-months": ("review_months", None), "default-language": ("default_language", None),
}


class SettingsError(Exception):
    """A save refused: ``code`` is ``invalid`` (``problems`` say why), ``unchanged`` or ``conflict``
    (``live``: the file as it is now)."""

    def __init__(self, code: str, message: str, problems: list[Problem] | None = None,
                 live: LiveSettings | None = None):
        super().__init__(message)
        self.code = code
        self.problems = problems or []
        self.live = live


@dataclass(frozen=True)
class LiveSettings:
    """``content/site.yml`` as it is now (``data`` empty when it cannot be read as a mapping)."""

    text: str
    sha256: str
    data: dict = field(default_factory=dict)


def read_live(content_dir: Path) -> LiveSettings | None:
    """The settings file now, or None when there is none."""
    try:
        raw = read_entry_bytes(Path(content_dir) / SITE_FILE)
    except EntryFileError:  # missing, or not a file to edit (a FIFO is never waited on)
        return None
    text = raw.decode("utf-8", errors="replace")
    return LiveSettings(text, sha256_of(raw), _data_of(text))


def _data_of(text: str | None) -> dict:
    if not text:
        return {}
    try:
        data = parse_yaml(text).data
    except YamlFileError:
        return {}
    return jsonable(data) if isinstance(data, dict) else {}


# -- the form ----------------------------------------------------------------------------------------

def _text(value) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()[:MAX_TEXT]


def data_from_form(form, live_data: Mapping) -> dict:
    """The settings the posted ``form`` describes, on top of ``live_data``: the fields the form does not
    show (and the front door's) are kept as they are."""
    data = dict(jsonable(dict(live_data)))
    door = data.get("front_door")
    door = dict(door) if isinstance(door, dict) else {}
    for form_id, (key, sub_key) in FORM_FIELDS.items():
        value = _text(form.get(form_id))
        if form_id == "review-months" and _DIGITS.match(value):
            value = int(value)  # anything else stays text, for check to report
        if sub_key:
            door[sub_key] = value
        else:
            data[key] = value
    data["front_door"] = door
    languages = []
    for code in form.getlist("languages"):
        code = _text(code)[:20]
        if code and code not in languages:
            languages.append(code)
    data["languages"] = languages
    return data


def form_from_data(data: Mapping) -> dict:
    """The values to fill the form with."""
    door = data.get("front_door") if isinstance(data.get("front_door"), dict) else {}
    values = {}
    for form_id, (key, sub_key) in FORM_FIELDS.items():
        value = door.get(sub_key) if sub_key else data.get(key)
        values[form_id] = "" if value is None or isinstance(value, (dict, list)) else str(value)
    languages = data.get("languages")
    if isinstance(languages, str):
        languages = [languages]
    values["languages"] = [str(code) for code in languages] if isinstance(languages, list) else []
    return values


# -- checking ----------------------------------------------------------------------------------------

def render(data: Mapping, base_text: str | None = None) -> str:
    """The text of ``site.yml`` for ``data`` (ValueError when it cannot be written).

    With ``base_text`` (the file as it is now) only what changed is rewritten: its comments, key order
    and the layout of untouched values are kept. A file that cannot be kept so (one the loader would
    refuse, say) is written afresh in the format's order.
    """
    if base_text:
        kept = update_site_text(base_text, dict(data))
        if kept is not None:
            return kept
    return render_site(dict(data))


def problems(data: Mapping, catalogues: Collection[str]) -> list[Problem]:
    """What stops ``data`` being published: ``earlyhelp check``'s errors for site.yml, a language without an
    interface catalogue (``catalogues``: the languages that have one; English needs none), a quick exit
    that is not https."""
    try:
        text = render(data)
    except (ValueError, TypeError) as error:
        return [Problem(SITE_FILE, 1, "(file)", f"cannot be written as YAML: {error}")]
    found = site_problems(text)
    document = parse_yaml(text)
    languages = data.get("languages")
    for index, code in enumerate(languages if isinstance(languages, list) else []):
        if code != ENGLISH and code not in catalogues and not any(
                problem.field == f"languages[{index}]" for problem in found):
            found.append(Problem(SITE_FILE, document.line_of("languages"), f"languages[{index}]",
                                 f"'{code}' has no interface catalogue in translations/ "
                                 f"(there are: {', '.join(sorted({ENGLISH, *catalogues}))})"))
    exit_url = data.get("quick_exit_url")
    if isinstance(exit_url, str) and exit_url and not exit_url.lower().startswith("https://") and not any(
            problem.field == "quick_exit_url" for problem in found):
        found.append(Problem(SITE_FILE, document.line_of("quick_exit_url"), "quick_exit_url",
                             "must start with https://"))
    return found


def changed_fields(old: Mapping, new: Mapping) -> list[str]:
    """The top-level fields (``front_door.phone`` inside the front door) that differ, in the file's order."""
    def flat(data: Mapping) -> dict:
        values = {}
        for key, value in data.items():
            if isinstance(value, dict):
                values.update({f"{key}.{sub}": item for sub, item in value.items() if item not in ("", None)})
            elif value not in ("", None, []):
                values[str(key)] = value
        return values
    before, after = flat(jsonable(dict(old))), flat(jsonable(dict(new)))
    position = {name: index for index, name in enumerate(SITE_ORDER)}
    names = sorted({*before, *after},
                   key=lambda name: (position.get(name.split(".")[0], len(position)), name))
    return [name for name in names if before.get(name) != after.get(name)]


# -- saving ------------------------------------------------------------------------------------------

def save(db: sqlite3.Connection, content_dir: Path, index_dir: Path, data: Mapping, user: User, *,
         base_sha256: str | None, catalogues: Collection[str], ip: str | None = None) -> Published:
    """Check, write and publish the settings; record the version and the audit log.

    ``base_sha256`` is the hash of the file the form was filled from. Raises :class:`SettingsError`
    (``invalid``, ``unchanged``, ``conflict``) with nothing written, and :class:`PublishFailed` when the
    publish failed: ``site.yml`` and the live site are then as they were.
    """
    if user.role != "admin":
        raise SettingsError("not_allowed", "only an admin changes the site settings")
    found = problems(data, catalogues)
    if found:
        raise SettingsError("invalid", "the settings have problems to fix first", found)
    before = read_live(content_dir)
    text = render(data, before.text if before else None)
    if before is not None and before.text == text and before.sha256 == base_sha256:
        raise SettingsError("unchanged", "the settings are already as the form says")
    fields = changed_fields(before.data if before else {}, data)
    try:
        published = write_and_publish(
            Path(content_dir), Path(index_dir), {SITE_FILE: text}, author=Author(user.name or user.email,
                                                                                  user.email),
            message=f"Change the site settings ({', '.join(fields) or 'layout'}; by {user.email})",
            expected_sha256={SITE_FILE: base_sha256})
    except FileChanged:
        live = read_live(content_dir)
        with transaction(db):
            audit.record(db, user.email, "settings.conflict", SITE_FILE,
                         {"base": base_sha256, "live": live.sha256 if live else None}, ip)
        raise SettingsError("conflict", "site.yml has changed since the form was filled", live=live) from None
    except PublishFailed as failure:
        with transaction(db):
            audit.record(db, user.email, "settings.publish_failed", SITE_FILE,
                         {"fields": fields, "problems": failure.problems[:10]}, ip)
        raise
    now = instance.iso(instance.utc_now())
    with transaction(db):
        _record_versions(db, before, text, user, published, now)
        audit.record(db, user.email, "settings.changed", SITE_FILE,
                     {"fields": fields, "release": published.release_id, "commit": published.commit}, ip)
    return published


def _record_versions(db: sqlite3.Connection, before: LiveSettings | None, text: str, user: User,
                     published: Published, now: str) -> None:
    last = db.execute("SELECT sha256 FROM history WHERE kind = ? AND entry_id = ? ORDER BY id DESC LIMIT 1",
                      [HISTORY_KIND, HISTORY_ID]).fetchone()
    if before is not None and (last is None or last["sha256"] != before.sha256):
        # The version being replaced never came through the editor (a hand edit): keep it too.
        db.execute("INSERT INTO history (kind, entry_id, text, sha256, published_at) VALUES (?, ?, ?, ?, ?)",
                   [HISTORY_KIND, HISTORY_ID, before.text, before.sha256, now])
    db.execute("INSERT INTO history (kind, entry_id, text, sha256, author, approver, published_at, "
               "release_id, git_commit) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
               [HISTORY_KIND, HISTORY_ID, text, sha256_of(text.encode("utf-8")), user.email, user.email, now,
                published.release_id, published.commit])


def version_data(text: str | None) -> dict:
    """The settings held by a version's text (empty when it cannot be read)."""
    return _data_of(text)
