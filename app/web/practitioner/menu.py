"""The Menu of Interventions: ``/menu`` (grid of needs x levels, or ``view=table``) and ``/menu.csv``."""

from __future__ import annotations

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from ...practitioner import menu as menus
from .. import live_release, service_url
from ..labels import EVIDENCE_LABELS, EVIDENCE_QUALIFIERS, access_label, age_range, delivery_label
from . import blueprint
from .shortlist import carried_ids

MAX_PER_CELL = 12  # past this a cell links to the search instead of listing everything
TABLE_ROWS = 100  # rows on a page of the table view (a large borough lists thousands of services)


def _filters() -> tuple[str | None, str | None, list[str]]:
    """The hub and age band asked for, with a sentence for each unknown one (then ignored)."""
    directory = live_release().directory
    hub, age = request.args.get("hub", "").strip(), request.args.get("age", "").strip()
    problems = []
    if hub and hub not in directory.hubs:
        problems.append(_("We do not know the hub '%(value)s', so the menu shows every hub.", value=hub[:40]))
        hub = ""
    if age and age not in directory.age_bands:
        problems.append(_("We do not know the age band '%(value)s', so the menu shows every age.",
                          value=age[:40]))
        age = ""
    return hub or None, age or None, problems


def menu_url(**changes) -> str:
    params = {"hub": request.args.get("hub") or None, "age": request.args.get("age") or None,
              "view": request.args.get("view") or None, "sort": request.args.get("sort") or None,
              "page": None, "s": ",".join(carried_ids()) or None}
    params.update(changes)
    return url_for("practitioner.menu", **{key: value for key, value in params.items() if value})


@blueprint.get("/menu")
def menu():
    opened = live_release()
    directory = opened.directory
    hub, age, problems = _filters()
    table = request.args.get("view") == "table"
    sort, descending = menus.read_sort(request.args.get("sort"))
    levels = list(directory.levels)
    total = opened.menu_count(hub, age)
    pages = max(1, -(-total // TABLE_ROWS))
    raw_page = request.args.get("page", "1").strip()
    page = min(int(raw_page), pages) if raw_page.isascii() and raw_page.isdigit() and len(raw_page) < 7 else 1
    page = max(page, 1)
    return render_template(
        "menu.html", total=total, hub=hub, age=age, problems=problems, table=table, levels=levels,
        rows=[] if table else opened.menu_grid(directory.needs, levels, hub, age, MAX_PER_CELL),
        sorted_services=(menus.table_page(opened, hub, age, sort, descending, (page - 1) * TABLE_ROWS,
                                          TABLE_ROWS) if table else []),
        page=page, pages=pages, first_row=(page - 1) * TABLE_ROWS + 1,
        sort=sort, descending=descending, sorts=list(menus.SORTS),
        menu_url=menu_url, evidence_labels=EVIDENCE_LABELS, evidence_qualifiers=EVIDENCE_QUALIFIERS,
        cell_search_url=lambda need, level: url_for("public.search", need=need, level=level,
                                                    hub=hub, age=age, s=",".join(carried_ids()) or None))


@blueprint.get("/menu.csv")
def menu_csv():
    """One row per service, every field a practitioner needs, safe to open in any spreadsheet."""
    opened = live_release()
    directory = opened.directory
    hub, age, _problems = _filters()
    services = opened.menu_services(hub, age)
    header = [_("Service"), _("Organisation"), _("Summary"), _("Needs"), _("Levels of need"), _("Ages"),
              _("Minimum age"), _("Maximum age"), _("Area"), _("How to get it"), _("How to access"),
              _("Free"), _("Cost"), _("Delivery"), _("Languages"), _("Interpreters"), _("Phone"), _("Email"),
              _("Website"), _("Referral form"), _("Venues"), _("Evidence rating"), _("Evidence source"),
              _("Evidence link"), _("Last checked"), _("Page")]
    yes, no = _("Yes"), _("No")
    rows = []
    for service in services:
        area = (_("Across the borough") if service["borough_wide"]
                else "; ".join(directory.hubs[hub_id]["name"] for hub_id in service["hubs"]
                               if hub_id in directory.hubs))
        venues = "; ".join(", ".join(part for part in (venue["name"], venue["address"], venue["postcode"],
                                                       venue["schedule"]) if part)
                           for venue in service["venues"])
        rows.append([
            service["title"], service["organisation_name"], service["summary"],
            "; ".join(directory.needs[need]["label"] for need in service["needs"] if need in directory.needs),
            "; ".join(str(level) for level in service["levels"]),
            age_range(service["age_min"], service["age_max"], service["pregnancy"]),
            service["age_min"], service["age_max"], area,
            "; ".join(access_label(route) for route in service["access"]), service["how_to_access"],
            yes if service["free"] else no, service["cost"],
            "; ".join(delivery_label(mode) for mode in service["delivery"]),
            "; ".join(service["languages"]), yes if service["interpreters"] else no,
            service["phone"], service["email"], service["website"], service["referral_form"], venues,
            service["evidence_rating"], service["evidence_source"], service["evidence_url"],
            service["last_reviewed"], request.host_url.rstrip("/") + service_url(service["id"]),
        ])
    name = "menu-of-interventions" + "".join(f"-{part}" for part in (hub, age) if part) + ".csv"
    return Response(menus.csv_text(header, rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
