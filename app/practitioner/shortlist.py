"""A shortlist of services for a family: read from the URL, changed, and shortened into a link.

The list lives only in URLs (``/shortlist?s=id1,id2``): nothing about a family
is stored. A URL can be anything anyone types, so reading one never fails: ids
that are not ids, repeats and ids past the limit are dropped, and counted so
the page can say so.

Short links (``/l/<code>``) carry the same ids without any server-side
storage: each service id becomes a fixed-length code of its SHA-256 hash
(:func:`service_code`), so the link for five services is 30 characters after
``/l/`` whatever their ids, and it keeps working across releases as long as
the services keep their ids. Reading a link back means hashing the published
ids (:func:`code_table`). Two ids with the same code are possible in theory
(for 10,000 services the chance that any two share one of the 2^30 codes is
about 5%), and harmless: the link then shows both services.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_SERVICES = 20  # a hand-over sheet of more than this helps no family
MAX_ID_LENGTH = 100
_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
# Never split more of a parameter than the longest list we could keep (ids and commas).
_MAX_PARAMETER = (MAX_SERVICES * 3) * (MAX_ID_LENGTH + 1)

CODE_LENGTH = 6
# Crockford's base 32, lower case: no i, l, o or u, so a code read aloud or copied by hand survives.
CODE_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_CODE = re.compile(rf"(?:[{CODE_ALPHABET}]{{{CODE_LENGTH}}})+")


@dataclass(frozen=True)
class ShortlistIds:
    """The ids a ``s=`` parameter asks for, in its order, and what was dropped from it."""

    ids: tuple[str, ...]
    not_ids: int = 0  # values that cannot be a service id
    repeated: int = 0
    over_limit: int = 0

    @property
    def dropped(self) -> int:
        return self.not_ids + self.repeated + self.over_limit


def read_ids(values: str | Iterable[str] | None) -> ShortlistIds:
    """The service ids in one or more ``s`` parameters (comma-separated, any spacing or case)."""
    if values is None:
        return ShortlistIds(())
    if isinstance(values, str):
        values = [values]
    ids: list[str] = []
    not_ids = repeated = over_limit = 0
    for value in values:
        for part in value[:_MAX_PARAMETER].split(","):
            candidate = part.strip().lower()
            if not candidate:
                continue
            if len(candidate) > MAX_ID_LENGTH or not _ID.fullmatch(candidate):
                not_ids += 1
            elif candidate in ids:
                repeated += 1
            elif len(ids) >= MAX_SERVICES:
                over_limit += 1
            else:
                ids.append(candidate)
    return ShortlistIds(tuple(ids), not_ids, repeated, over_limit)


def joined(ids: Iterable[str]) -> str:
    """The ``s`` parameter for ``ids``."""
    return ",".join(ids)


def with_added(ids: Iterable[str], service_id: str) -> list[str]:
    """``ids`` with ``service_id`` at the end (once), keeping within :data:`MAX_SERVICES`."""
    ids = list(ids)
    if service_id not in ids and len(ids) < MAX_SERVICES:
        ids.append(service_id)
    return ids


def without(ids: Iterable[str], service_id: str) -> list[str]:
    return [other for other in ids if other != service_id]


def moved(ids: Iterable[str], service_id: str, offset: int) -> list[str]:
    """``ids`` with ``service_id`` moved ``offset`` places (-1 up, 1 down), clamped at the ends."""
    ids = list(ids)
    if service_id not in ids:
        return ids
    position = ids.index(service_id)
    ids.insert(max(0, min(len(ids) - 1, position + offset)), ids.pop(position))
    return ids


def service_code(service_id: str) -> str:
    """The short code of one service id: 6 characters from the first 30 bits of its SHA-256."""
    number = int.from_bytes(hashlib.sha256(service_id.encode()).digest()[:4], "big") >> 2
    return "".join(CODE_ALPHABET[(number >> shift) & 31] for shift in range(25, -1, -5))


def short_code(ids: Iterable[str]) -> str:
    """The code of a whole list: its services' codes, in order."""
    return "".join(service_code(service_id) for service_id in ids)


def read_short_code(code: str) -> list[str] | None:
    """The service codes in a short link's code, or None when it cannot be one."""
    code = code.strip().lower()
    if len(code) > CODE_LENGTH * MAX_SERVICES or not _CODE.fullmatch(code):
        return None
    return [code[start:start + CODE_LENGTH] for start in range(0, len(code), CODE_LENGTH)]


def code_table(service_ids: Iterable[str]) -> dict[str, list[str]]:
    """Service code -> the published ids with that code (nearly always one)."""
    table: dict[str, list[str]] = {}
    for service_id in service_ids:
        table.setdefault(service_code(service_id), []).append(service_id)
    return table


def resolve(codes: Iterable[str], table: dict[str, list[str]]) -> list[str]:
    """The service ids of ``codes``, in order; codes of services no longer published are skipped."""
    ids: list[str] = []
    for code in codes:
        for service_id in table.get(code, []):
            if service_id not in ids:
                ids.append(service_id)
    return ids[:MAX_SERVICES]
