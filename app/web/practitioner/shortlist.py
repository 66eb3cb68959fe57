"""The shortlist a practitioner builds during a visit, and what the family takes away.

``/shortlist?s=id1,id2`` shows the services with how to get them; links move
and remove them (the list is the URL, so it all works without JavaScript).
The hand-over is the same list in the family's language: a printable sheet
(this page, printed), a short link ``/l/<code>``, a QR code of that link
(``/shortlist/qr.svg``) and a plain-text version (``/shortlist.txt``) for a
text message.

The optional note for the sheet is never part of a URL. With JavaScript it
never leaves the browser (static/js/shortlist.js copies it into the sheet).
Without JavaScript the note form posts it here and the page is rendered back
with the note on it: not stored, not logged, not cached (``no-store``).
"""

from __future__ import annotations

from flask import Flask, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ...config import base_url
from ...practitioner import shortlist as lists
from ...practitioner.qr import qr_svg
from ...practitioner.text_message import message_size
from .. import live_release
from ..csrf import csrf
from ..labels import tel_href
from . import blueprint

MAX_NOTE_LENGTH = 1000
NO_STORE = {"Cache-Control": "no-store"}
_code_tables: dict[str, dict[str, list[str]]] = {}  # release id -> short code table (latest only)


def _asked() -> lists.ShortlistIds:
    return lists.read_ids(request.args.getlist("s"))


def _services(ids) -> list[dict]:
    reader = live_release()
    return [details for service_id in ids if (details := reader.service_details(service_id))]


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


def add_to_list_url(service_id: str) -> str:
    """The shortlist with ``service_id`` added to the list this page carries."""
    return shortlist_url(lists.with_added(carried_ids(), service_id))


def plain_text(services: list[dict], link: str) -> str:
    """The hand-over as a text message: one service a line, each phone number alone on the next
    line (without spaces, so every phone offers to call it), then the link and the front door."""
    site = live_release().directory.site
    lines = [_("Services for your family from %(site)s:", site=site.get("name") or _("Early Help Directory"))]
    for number, service in enumerate(services, 1):
        lines.append(f"{number}. {service['title']}")
        if service.get("phone"):
            lines.append(_("Tel %(number)s", number=tel_href(service["phone"]).removeprefix("tel:")))
        elif service.get("website") or service.get("email"):
            lines.append(service.get("website") or service["email"])
    lines.append(_("Full details: %(link)s", link=link))
    if site.get("front_door_phone"):
        lines.append(_("Worried about a child? %(name)s: %(number)s. In an emergency call 999.",
                       name=site.get("front_door_name") or "",
                       number=tel_href(site["front_door_phone"]).removeprefix("tel:")))
    return "\n".join(lines)


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
    if request.method == "GET" and set(request.args) - {"s"}:
        # Only the list belongs in the address (a note put there by hand is dropped, not echoed).
        return redirect(shortlist_url(asked.ids), 302)
    services = _services(asked.ids)
    ids = [service["id"] for service in services]
    note = request.form.get("note", "")[:MAX_NOTE_LENGTH].strip() if request.method == "POST" else ""
    link = short_link(ids) if ids else ""
    text = plain_text(services, link) if ids else ""
    page = render_template(
        "shortlist.html", services=services, ids=ids, note=note, max_note=MAX_NOTE_LENGTH,
        notices=_notices(asked, len(asked.ids) - len(ids)), short_link=link, text=text,
        text_size=message_size(text), max_services=lists.MAX_SERVICES,
        move_url=lambda service_id, offset: shortlist_url(lists.moved(ids, service_id, offset)),
        remove_url=lambda service_id: shortlist_url(lists.without(ids, service_id)))
    # A page holding a note must not be kept anywhere; the list alone may be cached briefly.
    return (page, 200, NO_STORE) if request.method == "POST" else page


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
    """A short link opens the full list (a temporary redirect: a later release may resolve it anew)."""
    codes = lists.read_short_code(code)
    if codes is None:
        abort(404)
    ids = lists.resolve(codes, _code_table())
    if not ids:
        abort(404)
    return redirect(shortlist_url(ids), 302)


def register_template_helpers(app: Flask) -> None:
    for helper in (add_to_list_url, carried_ids, shortlist_url):
        app.add_template_global(helper)
    app.add_template_global(lists.MAX_SERVICES, "max_shortlist")
