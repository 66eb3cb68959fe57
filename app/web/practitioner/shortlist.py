"""The shortlist a practitioner builds during a visit, and what the family takes away.

``/shortlist?s=id1,id2`` shows the services with how to get them; links move
and remove them (the list is the URL, so it all works without JavaScript).
The hand-over is the same list in the family's language: a printable sheet
(this page, printed), a short link ``/l/<code>``, a QR code of that link
(``/shortlist/qr.svg``) and a plain-text version (``/shortlist.txt``) for a
text message.

"Add to list" keeps the practitioner where they were: with JavaScript the card
changes in place (static/js/add-to-list.js); without it ``/shortlist/add``
redirects back to the same page (the same results, query and page) with the
list in ``s`` and a notice on the card. ``back`` on the shortlist remembers the
search, so "Add more services" returns to it. The family's short link opens a
family view: the services in their language with call buttons, without the
practitioner's tools.

The optional note for the sheet is never part of a URL. With JavaScript it
never leaves the browser (static/js/shortlist.js copies it into the sheet).
Without JavaScript the note form posts it here and the page is rendered back
with the note on it: not stored, not logged, not cached (``no-store``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import Flask, Response, abort, current_app, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.exceptions import HTTPException

from ...config import base_url
from ...practitioner import shortlist as lists
from ...practitioner.qr import qr_svg
from ...practitioner.text_message import message_size
from .. import live_release
from ..csrf import csrf
from ..i18n import request_language, text_direction
from ..labels import tel_href
from . import blueprint

MAX_NOTE_LENGTH = 1000
# The pages "Add to list" returns to, and a search "Add more services" returns to.
RETURN_ENDPOINTS = frozenset({"public.search", "public.service", "practitioner.menu"})
# Parameters of the page's own address that say something about the list, not about the page.
LIST_PARAMETERS = ("s", "added")
MAX_RETURN_LENGTH = 2000
_ANCHOR = re.compile(r"[a-z0-9-]{1,150}")
# Markers for add_to_list_url, as url_for quotes them: nothing else in its link can read so (a "%" in
# the page's own address, carried in ``back``, is quoted again, as %25).
_SLOTS = {"service": ("\0s\0", "%00s%00"), "anchor": ("\0a\0", "%00a%00")}
NO_STORE = {"Cache-Control": "no-store"}
_code_tables: dict[str, dict[str, list[str]]] = {}  # release id -> short code table (latest only)


def _asked() -> lists.ShortlistIds:
    # Read once a request: a page of results asks for every card.
    if "shortlist_asked" not in g:
        g.shortlist_asked = lists.read_ids(request.args.getlist("s"))
    return g.shortlist_asked


def _services(ids) -> list[dict]:
    """The services, with their text in the page's language where translated."""
    reader = live_release()
    language = request_language()
    return [details for service_id in ids if (details := reader.service_details(service_id, language))]


def _external(path: str) -> str:
    """An address a family's phone can open: ``EARLYHELP_BASE_URL`` if set, else this request's host."""
    return (base_url() or request.host_url.rstrip("/")) + path


def short_link(ids) -> str:
    """The short link of a list, complete, in the current page's language (its URL prefix)."""
    return _external(url_for("practitioner.short_link_target", code=lists.short_code(ids)))


def shortlist_url(ids, **params) -> str:
    return url_for("practitioner.shortlist", s=lists.joined(ids) or None, **params)


def carried_ids() -> list[str]:
    """The list a practitioner is building, carried in the ``s`` parameter of the page's own URL."""
    return list(_asked().ids)


def offers_add_to_list() -> bool:
    """Whether this page has "Add to list" links that come back to it (and so needs add-to-list.js)."""
    return request.endpoint in RETURN_ENDPOINTS


def return_path() -> str | None:
    """This page's path and query without the list, when it is a page the list comes back to."""
    if not offers_add_to_list():
        return None
    if "return_path" not in g:  # once a request, not once a card
        query = urlencode([(name, value) for name, value in request.args.items(multi=True)
                           if name not in LIST_PARAMETERS], safe=",")
        g.return_path = request.path + (f"?{query}" if query else "")
    return g.return_path


@contextmanager
def return_path_written_as(placeholder: str) -> Iterator[None]:
    """Inside, links back to this page (``return_path``) carry ``placeholder`` instead of its
    address: for HTML kept and shown on other pages, which put their own address there
    (:func:`quoted_return_path`; search_page.result_cards)."""
    saved = {name: g.pop(name) for name in ("return_path", "add_to_list_urls") if name in g}
    g.return_path = placeholder
    try:
        yield
    finally:
        g.pop("add_to_list_urls", None)
        g.pop("return_path", None)
        for name, value in saved.items():
            setattr(g, name, value)


def quoted_return_path() -> str:
    """``return_path()`` as a link's query holds it (quoted by ``url_for``, as in every link the list
    comes back from), or "" on a page the list does not come back to."""
    back = return_path()
    if back is None:
        return ""
    return url_for("practitioner.add_to_list", back=back).partition("?back=")[2]


def carried_list_url() -> str:
    """The shortlist of the list this page carries; from a search, it remembers the search (``back``)
    for "Add more services"."""
    return shortlist_url(carried_ids(), back=return_path() if request.endpoint == "public.search" else None)


def checked_return_path(value: str | None, endpoints=RETURN_ENDPOINTS) -> str | None:
    """``value`` when it is the path and query of one of ``endpoints`` on this site, else None:
    nothing typed into a link can send a practitioner to another site."""
    if not value or len(value) > MAX_RETURN_LENGTH or "\\" in value:
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or parts.fragment or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return None
    try:
        endpoint, _arguments = current_app.url_map.bind("localhost").match(parts.path, method="GET")
    except HTTPException:
        return None
    return value if endpoint in endpoints else None


def add_to_list_url(service_id: str, anchor: str | None = None) -> str:
    """The "Add to list" link of a service: back to this page with it added, when this page is one
    the list returns to (else the shortlist with it added)."""
    back = return_path()
    if back is None:
        return shortlist_url(lists.with_added(carried_ids(), service_id))
    if not (_ANCHOR.fullmatch(service_id) and (anchor is None or _ANCHOR.fullmatch(anchor))):
        return url_for("practitioner.add_to_list", add=service_id, s=lists.joined(carried_ids()) or None,
                       back=back, at=anchor)
    # A page of results has twenty of these links, alike but for the service: the link is built once
    # a request with markers where the service and anchor go (ids and anchors need no quoting).
    patterns = g.setdefault("add_to_list_urls", {})
    pattern = patterns.get(anchor is None)
    if pattern is None:
        pattern = patterns[anchor is None] = url_for(
            "practitioner.add_to_list", add=_SLOTS["service"][0], s=lists.joined(carried_ids()) or None,
            back=back, at=None if anchor is None else _SLOTS["anchor"][0])
    return pattern.replace(_SLOTS["service"][1], service_id).replace(_SLOTS["anchor"][1], anchor or "")


def just_added() -> str | None:
    """The service "Add to list" has just added on this page (``added``), if it is in the list."""
    added = request.args.get("added", "").strip()
    return added if added and added in carried_ids() else None


def search_return_url(ids) -> str:
    """Where "Add more services" goes: the search the practitioner came from (``back``), with the list."""
    back = checked_return_path(request.args.get("back"), {"public.search"})
    if back is None:
        return url_for("public.search", s=lists.joined(ids) or None)
    return _with_list(back, ids)


def _with_list(path: str, ids, **extra) -> str:
    """The page at ``path`` (in this page's language) with ``s`` set to ``ids`` and ``extra`` added."""
    parts = urlsplit(path)
    params = [(name, value) for name, value in parse_qsl(parts.query, keep_blank_values=True)
              if name not in LIST_PARAMETERS]
    if ids:
        params.append(("s", lists.joined(ids)))
    params += [(name, value) for name, value in extra.items() if value]
    query = urlencode(params, safe=",")
    return request.script_root + parts.path + (f"?{query}" if query else "")


def plain_text(services: list[dict], link: str) -> str:
    """The hand-over as a text message: one service a line, each phone number alone on the next
    line (without spaces, so every phone offers to call it), then the link and the front door."""
    site = live_release().directory.site
    lines = [_("Services for your family from %(site)s:", site=site.get("name") or _("Early Help Directory"))]
    for number, service in enumerate(services, 1):
        lines.append(f"{number}. {_isolated(service['title'], service.get('lang', 'en'))}")
        if service.get("phone"):
            lines.append(_("Tel %(number)s", number=tel_href(service["phone"]).removeprefix("tel:")))
        elif service.get("website") or service.get("email"):
            lines.append(_isolated(service.get("website") or service["email"]))
    lines.append(_("Full details: %(link)s", link=_isolated(link)))
    if site.get("front_door_phone"):
        lines.append(_("Worried about a child? %(name)s: %(number)s. In an emergency call 999.",
                       name=site.get("front_door_name") or "",
                       number=tel_href(site["front_door_phone"]).removeprefix("tel:")))
    return "\n".join(lines)


def _isolated(text: str, language: str = "en") -> str:
    """``text`` set apart as left-to-right inside a right-to-left message (Unicode isolates, the
    plain-text ``lang``/``dir``), so an English title's full stop or a link's slashes stay in place."""
    if text_direction(request_language()) == "rtl" and text_direction(language) == "ltr":
        return f"\u2066{text}\u2069"
    return text


def _notices(asked: lists.ShortlistIds, unknown: int) -> list[str]:
    notices = []
    if unknown:
        notices.append(ngettext("%(num)s of the services in this link is no longer in the directory, so "
                                "it is not shown.",
                                "%(num)s of the services in this link are no longer in the directory, so "
                                "they are not shown.", unknown))
    if asked.not_ids:
        notices.append(_("Part of the link was not a service, so we left it out."))
    if asked.over_limit:
        notices.append(_("A list holds at most %(max)s services, so we show the first %(max)s.",
                         max=lists.MAX_SERVICES))
    return notices


@blueprint.route("/shortlist", methods=["GET", "POST"])
@csrf.exempt  # the note form: public pages have no session; the POST changes nothing, only renders back
def shortlist():
    asked = _asked()
    # Only the list (and the search to return to) belongs in the address: a note put there by hand
    # is dropped, not echoed.
    back = checked_return_path(request.args.get("back"), {"public.search"})
    if request.method == "GET" and set(request.args) - {"s", "back"}:
        return redirect(shortlist_url(asked.ids, back=back), 302)
    services = _services(asked.ids)
    ids = [service["id"] for service in services]
    note = request.form.get("note", "")[:MAX_NOTE_LENGTH].strip() if request.method == "POST" else ""
    link = short_link(ids) if ids else ""
    text = plain_text(services, link) if ids else ""
    page = render_template(
        "shortlist.html", services=services, ids=ids, note=note, max_note=MAX_NOTE_LENGTH,
        notices=_notices(asked, len(asked.ids) - len(ids)), short_link=link, text=text,
        text_size=message_size(text), max_services=lists.MAX_SERVICES, back=back,
        add_more_url=search_return_url(ids),
        move_url=lambda service_id, offset: shortlist_url(lists.moved(ids, service_id, offset), back=back),
        remove_url=lambda service_id: shortlist_url(lists.without(ids, service_id), back=back))
    # A page holding a note must not be kept anywhere; the list alone may be cached briefly.
    return (page, 200, NO_STORE) if request.method == "POST" else page


@blueprint.get("/shortlist/add")
def add_to_list():
    """"Add to list" without JavaScript: back to the page the practitioner was on (the same
    results, query and page; ``back``), scrolled to the card (``at``), with the service added to
    the list and a notice; to the shortlist when that page is not one the list returns to."""
    ids = list(_asked().ids)
    service_id = request.args.get("add", "").strip().lower()
    known = bool(lists.read_ids(service_id).ids) and bool(_services([service_id]))
    if known:
        ids = lists.with_added(ids, service_id)
    back = checked_return_path(request.args.get("back"))
    if back is None:
        return redirect(shortlist_url(ids), 303)
    anchor = request.args.get("at", "")
    target = _with_list(back, ids, added=service_id if known and service_id in ids else None)
    return redirect(target + (f"#{anchor}" if _ANCHOR.fullmatch(anchor) else ""), 303)


@blueprint.get("/shortlist.txt")
def shortlist_text():
    services = _services(_asked().ids)
    if not services:
        abort(404)
    text = plain_text(services, short_link([service["id"] for service in services]))
    return Response(text + "\n", mimetype="text/plain")


@blueprint.get("/shortlist/qr.svg")
def shortlist_qr():
    """The QR code of the list's short link, drawn here: no other site sees what a family was given."""
    services = _services(_asked().ids)
    if not services:
        abort(404)
    link = short_link([service["id"] for service in services])
    return Response(qr_svg(link, _("QR code: %(link)s", link=link)), mimetype="image/svg+xml")


def _code_table() -> dict[str, list[str]]:
    opened = live_release()
    table = _code_tables.get(opened.id)
    if table is None:
        table = lists.code_table(service_id for service_id, _ in opened.service_index())
        _code_tables.clear()
        _code_tables[opened.id] = table
    return table


@blueprint.get("/l/<code>")
def short_link_target(code: str):
    """A short link opens the family's view of the list: the services in the page's language, with
    buttons to call, email or visit, and the safeguarding line; not the practitioner's tools."""
    codes = lists.read_short_code(code)
    if codes is None:
        abort(404)
    services = _services(lists.resolve(codes, _code_table()))
    if not services:
        abort(404)
    return render_template("family_list.html", services=services)


def register_template_helpers(app: Flask) -> None:
    for helper in (add_to_list_url, carried_ids, carried_list_url, just_added, offers_add_to_list,
                   shortlist_url):
        app.add_template_global(helper)
    app.add_template_global(lists.MAX_SERVICES, "max_shortlist")
