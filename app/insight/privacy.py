"""What may be kept of a search: a normalised query, and the test that drops personal-looking ones.

Families type names, addresses, phone numbers and dates of birth into search boxes. Nothing that
looks like that is ever stored: a query is dropped (the whole search goes unrecorded) when it holds

- a run of three or more digits, or seven or more digits in all (phone numbers, house and flat
  numbers with a street, reference numbers, years of birth);
- a date written with separators (``12/03/15``, ``1.2.2019``);
- an ``@`` (email addresses, social media handles);
- a postcode narrower than its district (``N17 6AA``, ``N17 6``); the district alone (``N17``)
  says no more than which part of the borough, and is kept;
- more than :data:`MAX_WORDS` words or :data:`MAX_LENGTH` characters: a long query is a story, and
  stories carry names and circumstances.
"""

from __future__ import annotations

import re
import unicodedata

MAX_WORDS = 8
MAX_LENGTH = 80

_DIGIT_RUN = re.compile(r"\d{3,}")
_DATE = re.compile(r"\d{1,4}\s*[./\-]\s*\d{1,2}\s*[./\-]\s*\d{1,4}")
# A full postcode (with or without its space) or a sector: more than the district.
_NARROW_POSTCODE = re.compile(
    r"(?<![A-Z0-9])[A-Z]{1,2}[0-9][0-9A-Z]?(?:\s*[0-9][A-Z]{2}|\s+[0-9])(?![A-Z0-9])")
_APOSTROPHES = "'\u2019\u2018\u02bc`"


def looks_personal(text: str) -> bool:
    """Whether ``text`` (a query as typed) may hold personal data, so must not be stored."""
    if "@" in text or len(text) > MAX_LENGTH or len(text.split()) > MAX_WORDS:
        return True
    digits = sum(char.isdigit() for char in text)
    if digits >= 7 or _DIGIT_RUN.search(text) or _DATE.search(text):
        return True
    return bool(_NARROW_POSTCODE.search(text.upper()))


def normalise_query(text: str) -> str:
    """One spelling per query: NFC, case folded, apostrophes removed ("can't" = "cant"), other
    punctuation and symbols turned into spaces, spaces collapsed. Letters, combining marks (which
    Bengali and Arabic need), digits and the joiners some scripts need are kept."""
    text = unicodedata.normalize("NFC", text).casefold()
    kept = []
    for char in text:
        if char in _APOSTROPHES:
            continue
        category = unicodedata.category(char)
        kept.append(char if category[0] in "LMN" or char in "\u200c\u200d" else " ")
    return " ".join("".join(kept).split())
