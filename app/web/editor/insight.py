"""Insight for commissioners (/editor/insight): coverage, demand, data quality, a one-page summary.

For analysts (read-only) and admins. The figures come from :mod:`app.insight` (no Flask); this
module reads the request's switches, names codes in the reader's language and picks the format
(page, CSV or JSON). Demand figures are k-anonymous before they get here.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Response, current_app, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from ...editorial import suggestions as suggestion_queue
from ...editorial.reminders import providers_by_organisation
from ...insight import coverage as gaps
from ...insight import demand as searches
from ...insight import quality as checks
from ...practitioner.menu import csv_text
from .. import labels
from ..search_log import search_log
from ..search_page import GROUP_LEGENDS, value_label
from . import blueprint, editorial_db
from .guard import role_required

ROLES = ("analyst", "admin")
PERIODS = {30: _l("The last 30 days"), 91: _l("The last 3 months"), 365: _l("The last 12 months")}
DEFAULT_PERIOD = 91
LIST_LIMIT = 100  # rows of each list on a page; the CSV has them all

COMPLETENESS_LABELS = {
    "how_to_access": _l("How to access"), "venues": _l("Venues"), "times": _l("Times"), "cost": _l("Cost"),
    "languages": _l("Languages"), "evidence": _l("Evidence"), "email": _l("Email"),
}
CONTACT_LABELS = {"phone": _l("Phone"), "email": _l("Email"), "postcode": _l("Postcode")}
DUPLICATE_REASONS = {"title": _l("similar title"), "phone": _l("same phone"), "email": _l("same email"),
                     "website": _l("same web page")}
STATUS_LABELS = {gaps.EMPTY: _l("none"), gaps.THIN: _l("thin"), gaps.COVERED: _l("covered")}


def with_release(view: Callable) -> Callable:
    """Call ``view`` with the live release; until something is published, say so instead."""
    @functools.wraps(view)
    def reading_the_release(*args, **kwargs):
        opened = current_app.extensions["live_release"].get()
        if opened is None:
            return render_template("editor/insight/unpublished.html", title=_("Insight"))
        return view(opened, *args, **kwargs)

    return reading_the_release


def _services(opened) -> list[dict]:
    """Every published service, read from the release once per request."""
    if "insight_services" not in g:
        g.insight_services = opened.all_services()
    return g.insight_services


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _k() -> int:
    return current_app.config.get("INSIGHT_MIN_COUNT", searches.DEFAULT_K)


# -- coverage ------------------------------------------------------------------------------------------

def _switches(directory) -> tuple[gaps.Switches, dict]:
    """The coverage switches chosen in the URL (unknown values are ignored), and their URL values."""
    args = request.args
    level = args.get("level", "")
    level = int(level) if level.isdigit() and int(level) in directory.levels else None
    language = args.get("language", "").strip().lower()
    language = language if language.isalpha() and 2 <= len(language) <= 3 else None
    thin = args.get("thin", "")
    thin = min(int(thin), gaps.MAX_THIN) if thin.isdigit() else gaps.DEFAULT_THIN
    switches = gaps.Switches(level=level, free_only=args.get("free") == "1", language=language, thin=thin)
    values = {"level": level, "free": "1" if switches.free_only else None, "language": language,
              "thin": thin if thin != gaps.DEFAULT_THIN else None}
    return switches, {name: value for name, value in values.items() if value is not None}


def _cell_url(cell: gaps.Cell, switches: gaps.Switches) -> str:
    return url_for("public.search", hub=cell.hub, need=cell.need, age=cell.age_band,
                   **switches.search_params())


def _coverage(opened):
    directory = opened.directory
    switches, values = _switches(directory)
    services = _services(opened)
    return gaps.coverage(services, directory, switches), values, services


def _empty_chart(report: gaps.Coverage, directory) -> list[dict]:
    return [{"label": directory.hubs[grid.hub]["name"], "value": grid.count(gaps.EMPTY)}
            for grid in report.grids]


def _coverage_json(report: gaps.Coverage, directory) -> dict:
    switches = report.switches
    return {
        "switches": {"level": switches.level, "free": switches.free_only, "language": switches.language,
                     "thin": switches.thin},
        "needs": [{"id": need, "label": directory.needs[need]["label"]} for need in report.needs],
        "age_bands": [{"id": band, "label": directory.age_bands[band]["label"]} for band in report.age_bands],
        "hubs": [{
            "id": grid.hub, "name": directory.hubs[grid.hub]["name"], "services": grid.services,
            "empty_cells": grid.count(gaps.EMPTY), "thin_cells": grid.count(gaps.THIN),
            "rows": [{"need": need, "cells": [
                {"age_band": cell.age_band, "count": cell.count, "status": cell.status,
                 "services_url": _cell_url(cell, switches)} for cell in cells]}
                for need, cells in grid.rows],
        } for grid in report.grids],
        "borough_gaps": [{"need": need, "age_band": band} for need, band in report.borough_gaps()],
    }


@blueprint.get("/insight/coverage")
@role_required(*ROLES)
@with_release
def insight_coverage(opened):
    """Services by hub x need x age band, with the empty and thin cells marked."""
    report, values, services = _coverage(opened)
    languages = sorted({code for service in services for code in service["languages"]},
                       key=lambda code: labels.language_name(code).casefold())
    directory = opened.directory
    return render_template(
        "editor/insight/coverage.html", title=_("Coverage: gaps in provision"), report=report,
        values={name: str(value) for name, value in values.items()}, directory=directory,
        level_options=[(str(level), _("Level %(n)s: %(label)s", n=level, label=item["label"]))
                       for level, item in directory.levels.items()],
        language_options=[(code, labels.language_name(code)) for code in languages],
        thin_options=[(str(number), ngettext("%(num)s service or fewer", "%(num)s services or fewer", number))
                      for number in (1, 2, 3, 5, 10)],
        status_labels=STATUS_LABELS, cell_url=lambda cell: _cell_url(cell, report.switches),
        empty_chart=_empty_chart(report, directory), csv_url=url_for("editor.insight_coverage_csv", **values),
        json_url=url_for("editor.insight_coverage_json", **values))


@blueprint.get("/insight/coverage.json")
@role_required(*ROLES)
@with_release
def insight_coverage_json(opened):
    """The figures the coverage page is drawn from."""
    report, _values, _services = _coverage(opened)
    return jsonify(_coverage_json(report, opened.directory))


@blueprint.get("/insight/coverage.csv")
@role_required(*ROLES)
@with_release
def insight_coverage_csv(opened):
    """One row per hub, need and age band."""
    report, _values, _services = _coverage(opened)
    directory = opened.directory
    rows = [[directory.hubs[cell.hub]["name"], directory.needs[cell.need]["label"],
             directory.age_bands[cell.age_band]["label"], cell.count, str(STATUS_LABELS[cell.status]),
             cell.hub, cell.need, cell.age_band] for cell in report.cells()]
    header = [_("Hub"), _("Need"), _("Age band"), _("Services"), _("Coverage"), _("Hub id"), _("Need id"),
              _("Age band id")]
    return _csv(csv_text(header, rows), "coverage")


# -- demand ------------------------------------------------------------------------------------------

def _period() -> int:
    days = request.args.get("days", "")
    return int(days) if days.isdigit() and int(days) in PERIODS else DEFAULT_PERIOD


def _period_options() -> list[tuple[str, str]]:
    return [(str(days), str(label)) for days, label in PERIODS.items()]


def _demand(opened, days: int) -> searches.DemandReport:
    until = _today()
    since = until - dt.timedelta(days=days - 1)
    directory = opened.directory
    # A need's words: its label, its synonyms, and its id in words ("parenting", "domestic abuse").
    synonyms = {need_id: [need["label"], *need["synonyms"], need_id.replace("-", " ")]
                for need_id, need in directory.needs.items()}
    supply = dict.fromkeys(directory.needs, 0)
    for service in _services(opened):
        for need in service["needs"]:
            if need in supply:
                supply[need] += 1
    return searches.demand_report(search_log().counts(since, until, searches.LOW_RESULTS), since=since,
                                  until=until, k=_k(), services_per_need=supply,
                                  matcher=searches.NeedMatcher(synonyms, directory.synonyms_by_language()))


def filters_text(encoded: str, directory) -> str:
    """``hub=west&need=parenting`` in words: "Area (Early Help Hub): West Hub; ..."."""
    return "; ".join(f"{GROUP_LEGENDS[group]}: {value_label(group, value, directory)}"
                     for group, value in parse_qsl(encoded) if group in GROUP_LEGENDS)


def _fewer_than(count: int | None, k: int) -> str:
    return str(count) if count is not None else _("fewer than %(k)s", k=k)


def _need_chart(report: searches.DemandReport, directory) -> list[dict]:
    return [{"label": directory.needs[item.need]["label"], "value": item.searches} for item in report.needs]


@blueprint.get("/insight/demand")
@role_required(*ROLES)
@with_release
def insight_demand(opened):
    """What families searched for: top searches, searches with no or few results, demand per need."""
    days = _period()
    report = _demand(opened, days)
    return render_template(
        "editor/insight/demand.html", title=_("Demand: what families search for"), report=report,
        low_results=searches.LOW_RESULTS,
        filters_text=lambda encoded: filters_text(encoded, opened.directory),
        fewer_than=lambda count: _fewer_than(count, report.k),
        language_name=labels.language_name, csv_url=url_for("editor.insight_demand_csv", days=days),
        directory=opened.directory, need_chart=_need_chart(report, opened.directory),
        periods=_period_options(), days=str(days))


@blueprint.get("/insight/demand.csv")
@role_required(*ROLES)
@with_release
def insight_demand_csv(opened):
    """Every list of the demand page in one file (the same k-anonymous figures)."""
    report = _demand(opened, _period())
    directory = opened.directory
    rows = []
    for name, items in ((_("Top searches"), report.top), (_("No results"), report.zero),
                        (_("Few results"), report.low)):
        rows += [[name, item.query, filters_text(item.filters, directory), item.searches, ""]
                 for item in items]
    rows += [[_("Need"), directory.needs[item.need]["label"], "", _fewer_than(item.searches, report.k),
              item.services] for item in report.needs]
    rows += [[_("Language"), labels.language_name(language), "", _fewer_than(count, report.k), ""]
             for language, count in report.languages]
    header = [_("List"), _("Search or need"), _("Filters"), _("Searches"), _("Services")]
    return _csv(csv_text(header, rows), f"demand-{report.since}-to-{report.until}")


# -- data quality -------------------------------------------------------------------------------------

def missing_text(entry: checks.EntryQuality) -> str:
    """The useful fields an entry leaves empty, in words."""
    return ", ".join(str(COMPLETENESS_LABELS[name]) for name in entry.missing)


def reasons_text(pair: checks.Duplicate) -> str:
    """Why two services look like the same one, in words."""
    return ", ".join(str(DUPLICATE_REASONS[reason]) for reason in pair.reasons)


def _quality(opened) -> checks.QualityReport:
    db = editorial_db()
    return checks.quality_report(
        _services(opened), opened.organisations_by_id(), opened.directory.hubs,
        owned=set(providers_by_organisation(db)), suggestions=suggestion_queue.counts_by_service(db),
        today=_today())


def _quality_scope(report: checks.QualityReport, opened) -> tuple[list[checks.EntryQuality], dict]:
    """The entries of the organisation or hub chosen in the URL (all when none)."""
    organisation = request.args.get("organisation", "")
    hub = request.args.get("hub", "")
    entries = list(report.entries.values())
    values = {}
    if organisation in {group.id for group in report.by_organisation}:
        entries = [entry for entry in entries if entry.organisation == organisation]
        values["organisation"] = organisation
    if hub in opened.directory.hubs:
        entries = [entry for entry in entries if hub in entry.hubs]
        values["hub"] = hub
    return sorted(entries, key=lambda entry: entry.title.casefold()), values


@blueprint.get("/insight/quality")
@role_required(*ROLES)
@with_release
def insight_quality(opened):
    """Overdue reviews, owners, completeness, duplicates, invalid contacts and suggestions."""
    report = _quality(opened)
    entries, values = _quality_scope(report, opened)
    chosen = {entry.id for entry in entries}
    organisations = opened.organisations_by_id()
    return render_template(
        "editor/insight/quality.html", title=_("Data quality"), report=report, values=values,
        organisations=organisations, hubs=opened.directory.hubs, limit=LIST_LIMIT,
        overdue=[entry for entry in entries if entry.overdue],
        unowned=[entry for entry in entries if not entry.has_owner],
        incomplete=sorted((entry for entry in entries if entry.missing),
                          key=lambda entry: (entry.completeness, entry.title.casefold())),
        invalid=[entry for entry in entries if entry.invalid],
        duplicates=[pair for pair in report.duplicates if pair.first in chosen or pair.second in chosen],
        suggested=[entry for entry in entries if entry.open_suggestions],
        contact_labels=CONTACT_LABELS, csv_url=url_for("editor.insight_quality_csv", **values),
        missing_text=missing_text, reasons_text=reasons_text,
        organisation_options=[(org_id, org["name"]) for org_id, org in organisations.items()],
        hub_options=[(hub_id, hub["name"]) for hub_id, hub in opened.directory.hubs.items()],
        overdue_chart=[{"label": opened.directory.hubs[group.id]["name"], "value": group.overdue}
                       for group in report.by_hub])


@blueprint.get("/insight/quality.csv")
@role_required(*ROLES)
@with_release
def insight_quality_csv(opened):
    """One row per published service with every quality figure."""
    report = _quality(opened)
    entries, _values = _quality_scope(report, opened)
    organisations = opened.organisations_by_id()
    yes, no = _("Yes"), _("No")
    rows = [[entry.title, organisations.get(entry.organisation, {}).get("name", entry.organisation),
             entry.due or "", yes if entry.overdue else no, yes if entry.has_owner else no,
             entry.completeness,
             missing_text(entry),
             "; ".join(f"{CONTACT_LABELS[item.field]}: {item.value}" for item in entry.invalid),
             "; ".join(entry.duplicates), entry.open_suggestions, entry.dealt_with_suggestions, entry.id]
            for entry in entries]
    header = [_("Service"), _("Organisation"), _("Review due"), _("Overdue"), _("Has an owner"),
              _("Completeness (%)"), _("Missing"), _("Invalid contacts"), _("Likely duplicates of"),
              _("Open suggestions"), _("Suggestions dealt with"), _("Service id")]
    return _csv(csv_text(header, rows), "data-quality")


# -- the overview and the one-page summary -----------------------------------------------------------------

@blueprint.get("/insight")
@role_required(*ROLES)
@with_release
def insight(opened):
    """The three reports and the summary, with their headline figures."""
    return render_template("editor/insight/index.html", title=_("Insight"),
                           **_headlines(opened, DEFAULT_PERIOD))


@blueprint.get("/insight/summary")
@role_required(*ROLES)
@with_release
def insight_summary(opened):
    """One printable page for a partnership board."""
    days = _period()
    headlines = _headlines(opened, days)
    directory = opened.directory
    return render_template(
        "editor/insight/summary.html", title=_("Early help offer: summary for the board"),
        days=str(days), periods=_period_options(), today=_today(),
        directory=directory, need_chart=_need_chart(headlines["demand"], directory),
        empty_chart=_empty_chart(headlines["coverage"], directory), **headlines)


def _headlines(opened, days: int) -> dict:
    coverage_report = gaps.coverage(_services(opened), opened.directory, gaps.Switches())
    demand_report = _demand(opened, days)
    quality_report = _quality(opened)
    return {"coverage": coverage_report, "demand": demand_report, "quality": quality_report,
            "period_label": PERIODS[days],
            "filters_text": lambda encoded: filters_text(encoded, opened.directory),
            "fewer_than": lambda count: _fewer_than(count, demand_report.k)}


def _csv(text: str, name: str) -> Response:
    return Response(text, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})
