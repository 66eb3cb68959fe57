"""Read an Open Referral UK 3.0 feed: over HTTP, from a saved file, or from a folder of static files.

Whatever the source, the result is a :class:`Feed`: a list of service objects
(each with its organisation nested when the source had it) and lookups for
organisations, taxonomy terms and taxonomies named only by id.

- URL: ``https://host/api/oruk/`` or ``.../services`` (``?page=N`` pages are
  followed through ``total_pages``, asking for ``full=true``), or one service
  ``.../services/<id>``. List entries that are not fully nested are fetched
  from ``/services/<id>``; organisations and terms named only by id from
  ``/organizations/<id>`` and ``/taxonomy_terms/<id>``.
- File: a list envelope (``{"contents": [...]}``), one service, an
  organisation with nested ``services``, a service_at_location with a nested
  ``service``, a JSON array of any of these, or ndjson (one per line).
- Folder: ``services.ndjson`` or ``services/*.json``, with ``organizations.json``
  and ``taxonomies.json`` beside them when present (``earlyhelp export oruk``).
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

TIMEOUT = 30
MAX_RESPONSE_BYTES = 50 * 1024 * 1024
MAX_PAGES = 100_000
USER_AGENT = "earlyhelp-import (Early Help Directory; Open Referral UK 3.0)"
# Keys that only a service has; an organisation never carries them.
_SERVICE_KEYS = {"status", "organization_id", "organization", "service_at_locations", "cost_options",
                 "minimum_age", "maximum_age", "attributes", "fees", "assured_date", "url"}
_ORGANISATION_KEYS = {"website", "logo", "organization_identifiers", "parent_organization_id", "uri"}


class FeedError(Exception):
    """The source cannot be read at all (unreachable, not JSON, nothing in it)."""


@dataclass
class Feed:
    """The services read from a source, and lookups for what they name only by id."""

    origin: str
    services: list[dict] = field(default_factory=list)
    organisations: dict[str, dict] = field(default_factory=dict)
    terms: dict[str, dict] = field(default_factory=dict)
    taxonomies: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    fetch: Callable[[str], object | None] | None = None  # path under the base URL -> JSON, or None

    def organisation(self, organisation_id: str) -> dict | None:
        """The organisation with this id, fetched from the feed when it is a URL."""
        organisation_id = str(organisation_id)
        if organisation_id not in self.organisations and self.fetch is not None:
            found = self.fetch(f"organizations/{urllib.parse.quote(organisation_id, safe='')}")
            self.organisations[organisation_id] = found if isinstance(found, dict) else {}
        return self.organisations.get(organisation_id) or None

    def term(self, term_id: str) -> dict | None:
        """The taxonomy term with this id, fetched from the feed when it is a URL."""
        term_id = str(term_id)
        if term_id not in self.terms and self.fetch is not None:
            found = self.fetch(f"taxonomy_terms/{urllib.parse.quote(term_id, safe='')}")
            self.terms[term_id] = found if isinstance(found, dict) else {}
        return self.terms.get(term_id) or None

    def taxonomy_of(self, term: dict) -> str:
        """The taxonomy name a term belongs to: its ``taxonomy``, else looked up by ``taxonomy_id``."""
        if term.get("taxonomy"):
            return str(term["taxonomy"])
        detail = term.get("taxonomy_detail")
        if isinstance(detail, dict) and detail.get("name"):
            return str(detail["name"])
        return self.taxonomies.get(str(term.get("taxonomy_id") or ""), "")

    # -- collecting objects of any shape ---------------------------------------------
    def add(self, data, where: str) -> None:
        """Add whatever ``data`` holds: an envelope, a list, a service, an organisation..."""
        if isinstance(data, list):
            for item in data:
                self.add(item, where)
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            pages = data.get("total_pages")
            if isinstance(pages, int) and pages > 1 and not where.startswith("http"):
                self.notes.append(f"{where} is page {data.get('page_number', 1)} of {pages} of a feed; "
                                  "only the services in it were read")
            self.add(data["contents"], where)
        elif isinstance(data, dict):
            self._add_object(data, where)
        else:
            self.notes.append(f"{where}: ignored a value that is not an ORUK object")

    def _add_object(self, item: dict, where: str) -> None:
        if isinstance(item.get("services"), list):  # an organisation with its services nested
            organisation = {key: value for key, value in item.items() if key != "services"}
            if organisation.get("id"):
                self.organisations[str(organisation["id"])] = organisation
            for service in item["services"]:
                if isinstance(service, dict):
                    nested = service.get("organization") or organisation
                    self.services.append({**service, "organization": nested})
        elif isinstance(item.get("service"), dict):  # a service_at_location with its service nested
            service = dict(item["service"])
            at_location = {key: value for key, value in item.items() if key != "service"}
            earlier = next((known for known in self.services
                            if known.get("id") and known.get("id") == service.get("id")), None)
            if earlier is not None:
                service = earlier
            else:
                self.services.append(service)
            service["service_at_locations"] = [*(service.get("service_at_locations") or []), at_location]
        elif isinstance(item.get("taxonomy_terms"), list) or ("term" in item and "name" in item):
            self.add_taxonomy(item)
        elif not (_SERVICE_KEYS & set(item)) and (_ORGANISATION_KEYS & set(item)):
            if item.get("id"):
                self.organisations[str(item["id"])] = item
        else:
            self.services.append(item)

    def add_taxonomy(self, data) -> None:
        """Learn taxonomy names and terms from a taxonomy, a term, or a list of either."""
        if isinstance(data, list):
            for item in data:
                self.add_taxonomy(item)
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            self.add_taxonomy(data["contents"])
        elif isinstance(data, dict):
            if isinstance(data.get("taxonomy_terms"), list):
                if data.get("id") and data.get("name"):
                    self.taxonomies[str(data["id"])] = str(data["name"])
                for term in data["taxonomy_terms"]:
                    if isinstance(term, dict) and term.get("id"):
                        term = {**term}
                        if not term.get("taxonomy") and data.get("name"):
                            term["taxonomy"] = data["name"]
                        self.terms[str(term["id"])] = term
            elif "term" in data or "taxonomy_id" in data:
                if data.get("id"):
                    self.terms[str(data["id"])] = data
            elif data.get("id") and data.get("name"):
                self.taxonomies[str(data["id"])] = str(data["name"])

    def add_organisations(self, data) -> None:
        """Learn organisations from a list, an envelope or ndjson rows."""
        if isinstance(data, list):
            for item in data:
                self.add_organisations(item)
        elif isinstance(data, dict) and isinstance(data.get("contents"), list):
            self.add_organisations(data["contents"])
        elif isinstance(data, dict) and data.get("id"):
            self.organisations[str(data["id"])] = {k: v for k, v in data.items() if k != "services"}


def read_feed(source: str, *, timeout: float = TIMEOUT) -> Feed:
    """Read every service from a URL, a JSON or ndjson file, or a folder of static feed files."""
    if re.match(r"^https?://", source, re.IGNORECASE):
        return _read_url(source, timeout)
    path = Path(source)
    if path.is_dir():
        return _read_folder(path)
    if path.is_file():
        feed = Feed(origin=str(path.resolve()))
        for data, where in _read_json_file(path, feed):
            feed.add(data, where)
        if not feed.services:
            raise FeedError(f"{source}: no services in it (expected ORUK services, a list of them, or an "
                            "organisation with its services)")
        return feed
    raise FeedError(f"{source}: no such file or folder, and not an http(s) URL")


# -- files and folders -------------------------------------------------------

def _read_json_file(path: Path, feed: Feed) -> Iterable[tuple[object, str]]:
    """Yield (data, where) from a JSON file, or one per line from an ndjson file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise FeedError(f"{path}: cannot be read as UTF-8 text ({error})") from None
    if path.suffix.lower() not in (".ndjson", ".jsonl"):
        try:
            yield json.loads(text), str(path)
            return
        except json.JSONDecodeError as error:
            # Two objects in a row: the file is ndjson whatever it is called.
            if error.msg != "Extra data":
                raise FeedError(f"{path}:{error.lineno}: not JSON: {error.msg}") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield json.loads(line), f"{path}:{number}"
        except json.JSONDecodeError as error:
            feed.notes.append(f"{path}:{number}: not JSON ({error.msg}); that line was skipped")


def _read_folder(folder: Path) -> Feed:
    feed = Feed(origin=str(folder.resolve()))
    candidates = [folder / "services.ndjson", folder / "services.json"]
    service_files = [path for path in candidates if path.is_file()][:1]
    if not service_files and (folder / "services").is_dir():
        service_files = sorted((folder / "services").glob("*.json"))
    if not service_files:
        raise FeedError(f"{folder}: no services.ndjson, services.json or services/*.json in it")
    for name, learn in (("organizations.json", feed.add_organisations), ("organizations.ndjson",
                                                                          feed.add_organisations),
                        ("taxonomies.json", feed.add_taxonomy), ("taxonomy_terms.json", feed.add_taxonomy)):
        if (folder / name).is_file():
            for data, _where in _read_json_file(folder / name, feed):
                learn(data)
    for path in service_files:
        for data, where in _read_json_file(path, feed):
            feed.add(data, where)
    if not feed.services:
        raise FeedError(f"{folder}: no services in it")
    return feed


# -- HTTP -----------------------------------------------------------------------

def _get_json(url: str, timeout: float):
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            raw = response.read(MAX_RESPONSE_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise FeedError(f"{url}: HTTP {error.code} {error.reason}") from None
    except urllib.error.URLError as error:
        raise FeedError(f"{url}: cannot connect ({error.reason})") from None
    except (TimeoutError, OSError) as error:
        raise FeedError(f"{url}: {error or 'timed out'}") from None
    if len(raw) > MAX_RESPONSE_BYTES:
        raise FeedError(f"{url}: response larger than {MAX_RESPONSE_BYTES // (1024 * 1024)} MB")
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FeedError(f"{url}: not JSON ({error})") from None


def _with_query(url: str, **params) -> str:
    parts = urllib.parse.urlsplit(url)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    query.update({key: str(value) for key, value in params.items()})
    return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(query)))


def _split_url(url: str) -> tuple[str, str, str | None]:
    """(base URL ending in '/', services list URL, one service id or None)."""
    parts = urllib.parse.urlsplit(url)
    segments = [segment for segment in parts.path.split("/")]
    while segments and segments[-1] == "":
        segments.pop()
    service_id = None
    if len(segments) >= 2 and segments[-2] == "services":
        service_id = urllib.parse.unquote(segments.pop())
    if segments and segments[-1] == "services":
        segments.pop()
    base_path = "/".join(segments) + "/"
    base = urllib.parse.urlunsplit(parts._replace(path=base_path, query="", fragment=""))
    list_url = urllib.parse.urlunsplit(parts._replace(path=base_path + "services", fragment=""))
    return base, list_url, service_id


def _fully_nested(service: dict) -> bool:
    # A list entry without any of its nested lists is a summary; /services/{id} has the rest.
    return any(key in service for key in ("attributes", "service_at_locations", "contacts", "cost_options",
                                          "languages", "schedules"))


def _read_url(url: str, timeout: float) -> Feed:
    base, list_url, service_id = _split_url(url)
    feed = Feed(origin=url)
    failed: set[str] = set()

    def fetch(path: str):
        try:
            return _get_json(base + path, timeout)
        except FeedError as error:
            if path not in failed:
                failed.add(path)
                feed.notes.append(str(error))
            return None

    feed.fetch = fetch
    if service_id is not None:
        feed.add(_get_json(f"{base}services/{urllib.parse.quote(service_id, safe='')}", timeout), url)
        return feed

    page, total_pages = 1, 1
    while page <= min(total_pages, MAX_PAGES):
        page_url = _with_query(list_url, page=page, full="true")
        data = _get_json(page_url, timeout)
        if not isinstance(data, dict) or not isinstance(data.get("contents"), list):
            raise FeedError(f"{page_url}: not an ORUK list (no 'contents')")
        total_pages = data.get("total_pages") if isinstance(data.get("total_pages"), int) else page
        if not data["contents"]:
            break
        for item in data["contents"]:
            if isinstance(item, dict) and item.get("id") and not _fully_nested(item):
                detail = _get_json(f"{base}services/{urllib.parse.quote(str(item['id']), safe='')}", timeout)
                item = detail if isinstance(detail, dict) else item
            feed.add(item, page_url)
        page += 1
    if not feed.services:
        raise FeedError(f"{list_url}: the feed has no services")
    return feed
