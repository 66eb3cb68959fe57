"""Typed, validated reading of the fields of one YAML mapping.

An :class:`EntryReader` never raises on bad data: it records a
:class:`~app.content.problems.Problem` naming the file, line and field, and
returns a safe default, so one run of `earlyhelp check` reports everything.
"""

from __future__ import annotations

import datetime as dt
import re

from .problems import ERROR, Problem
from .yamlfile import Document

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# UK postcode: outward code (area + district) then inward code (sector + unit).
POSTCODE_PATTERN = re.compile(r"^(GIR 0AA|[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2})$")
POSTCODE_AREA_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?(?: [0-9](?:[A-Z]{2})?)?$")
EMAIL_PATTERN = re.compile(r"^[^@\s<>\"']+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]{5,20}[0-9]$")
URL_PATTERN = re.compile(r"^https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:[/?#][^\s<>\"']*)?$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2}$")

MISSING = object()


def normalise_postcode(value: str) -> str:
    """Upper-case a postcode and put exactly one space before the inward code."""
    compact = re.sub(r"\s+", "", value).upper()
    if len(compact) > 3:
        return f"{compact[:-3]} {compact[-3:]}"
    return compact


class EntryReader:
    """Reads fields of a mapping inside a parsed document."""

    def __init__(self, source: str, document: Document, data, prefix: str = "",
                 problems: list[Problem] | None = None):
        self.source = source
        self.document = document
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.problems = problems if problems is not None else []

    # -- reporting ---------------------------------------------------------
    def path(self, key: str) -> str:
        return f"{self.prefix}.{key}" if self.prefix else key

    def problem(self, key: str, message: str, severity: str = ERROR, kind: str = "") -> None:
        """Record a problem on ``key`` (a field of this mapping, or '')."""
        path = self.path(key) if key else self.prefix
        self.problems.append(Problem(self.source, self.document.line_of(path),
                                     path or "(file)", message, severity, kind))

    def child(self, key: str) -> EntryReader | None:
        """A reader for a nested mapping, or None if absent or not a mapping."""
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problem(key, "must be a mapping of fields")
            return None
        return EntryReader(self.source, self.document, value, self.path(key), self.problems)

    def items(self, key: str) -> list[EntryReader]:
        """Readers for a list of mappings such as ``venues``."""
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(key, "must be a list")
            return []
        readers = []
        for index, item in enumerate(value):
            path = f"{self.path(key)}[{index}]"
            if not isinstance(item, dict):
                self.problems.append(Problem(self.source, self.document.line_of(path), path,
                                             "must be a mapping of fields"))
                continue
            readers.append(EntryReader(self.source, self.document, item, path, self.problems))
        return readers

    def unknown_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(str(key), "unknown field (check the spelling)")

    # -- values ------------------------------------------------------------
    def _get(self, key: str, required: bool):
        value = self.data.get(key, MISSING)
        if value is MISSING or value is None or value == "" or value == []:
            if required:
                self.problem(key, "is required")
            return MISSING
        return value

    def text(self, key: str, required: bool = True, max_length: int | None = None) -> str:
        value = self._get(key, required)
        if value is MISSING:
            return ""
        if isinstance(value, (dict, list)):
            self.problem(key, "must be text")
            return ""
        text = str(value).strip()
        if max_length is not None and len(text) > max_length:
            self.problem(key, f"is {len(text)} characters long; the limit is {max_length}")
        return text

    def plain_text(self, key: str, required: bool = True, max_length: int | None = None) -> str:
        """Text that is shown as it is, so must not carry markup or line breaks."""
        text = self.text(key, required, max_length)
        if re.search(r"<[A-Za-z/!]", text):
            self.problem(key, "must be plain text, without HTML tags")
        if "\n" in text:
            self.problem(key, "must be a single paragraph without line breaks")
        return text

    def identifier(self, key: str, required: bool = True) -> str:
        value = self.text(key, required)
        if value and not ID_PATTERN.match(value):
            self.problem(key, f"'{value}' is not a valid id (use a-z, 0-9 and single hyphens)")
        return value

    def boolean(self, key: str, required: bool = False, default: bool = False) -> bool:
        value = self._get(key, required)
        if value is MISSING:
            return default
        if not isinstance(value, bool):
            self.problem(key, "must be true or false")
            return default
        return value

    def integer(self, key: str, required: bool = True, low: int = 0, high: int = 99) -> int | None:
        value = self._get(key, required)
        if value is MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(key, f"must be a whole number from {low} to {high}")
            return None
        if not low <= value <= high:
            self.problem(key, f"{value} is out of range; use {low} to {high}")
            return None
        return value

    def date(self, key: str, required: bool = True) -> dt.date | None:
        value = self._get(key, required)
        if value is MISSING:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.problem(key, f"'{value}' is not a date; write it as YYYY-MM-DD")
            return None

    def text_list(self, key: str, required: bool = True) -> list[str]:
        value = self._get(key, required)
        if value is MISSING:
            return []
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            value = [value]
        if not isinstance(value, list):
            self.problem(key, "must be a list")
            return []
        result = []
        for index, item in enumerate(value):
            if isinstance(item, (dict, list)) or item is None or str(item).strip() == "":
                self.item_problem(key, index, "must be a short piece of text")
                continue
            result.append(str(item).strip())
        return result

    def item_problem(self, key: str, index: int, message: str) -> None:
        """Record a problem on one item of the list ``key``."""
        path = f"{self.path(key)}[{index}]"
        self.problems.append(Problem(self.source, self.document.line_of(path), path, message))

    def choice_list(self, key: str, choices, required: bool = True) -> list[str]:
        values = self.text_list(key, required)
        for index, value in enumerate(values):
            if value not in choices:
                self.item_problem(key, index,
                                   f"'{value}' is not one of: {', '.join(map(str, choices))}")
        return [value for value in values if value in choices]

    def url(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not URL_PATTERN.match(value):
            self.problem(key, f"'{value}' is not a safe link; links must start with https:// or http://")
            return ""
        return value

    def email(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not EMAIL_PATTERN.match(value):
            self.problem(key, f"'{value}' is not an email address")
            return ""
        return value

    def phone(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if value and not PHONE_PATTERN.match(value):
            self.problem(key, f"'{value}' is not a phone number (digits and spaces, e.g. 020 7946 0100)")
            return ""
        return value

    def postcode(self, key: str, required: bool = False) -> str:
        value = self.text(key, required)
        if not value:
            return ""
        postcode = normalise_postcode(value)
        if not POSTCODE_PATTERN.match(postcode):
            self.problem(key, f"'{value}' is not a UK postcode (e.g. N17 6BB)")
            return ""
        return postcode
