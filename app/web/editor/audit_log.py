"""The audit log, for admins: filtered pages of it, and the same filters as a CSV download."""

from __future__ import annotations

import datetime as dt
import math
import re

from flask import Response, render_template, request, url_for
from flask_babel import gettext as _

from ...editorial import audit as log
from ...editorial import instance
from . import blueprint, editorial_db
from .guard import current_user, role_required

PER_PAGE = 50
FILTERS = ("actor", "action", "subject", "from", "to")


def parse_date(text: str) -> dt.date | None:
    """A date written the British way (``1/9/2026``, ``01-09-2026``) or as ISO (``2026-09-01``)."""
    parts = re.split(r"[/.\s-]+", text.strip())
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    day, month, year = (int(part) for part in (reversed(parts) if len(parts[0]) == 4 else parts))
    try:
        return dt.date(year, month, day) if year >= 1000 else None
    except ValueError:
        return None


def _filters() -> tuple[dict[str, str], dict, dict[str, str]]:
    """The filter form's values, the arguments for :func:`log.entries`, and errors by field."""
    values = {name: request.args.get(name, "").strip()[:200] for name in FILTERS}
    errors: dict[str, str] = {}
    dates: dict[str, dt.date | None] = {}
    for name in ("from", "to"):
        dates[name] = None
        if values[name]:
            dates[name] = parse_date(values[name])
            if dates[name] is None:
                errors[name] = _("Enter a real date, for example 1/9/2026")
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        errors["to"] = _("The end date must be the same as or after the start date")
        dates["to"] = None
    arguments = {"actor": values["actor"] or None, "action": values["action"] or None,
                 "subject": values["subject"] or None, "since": dates["from"], "until": dates["to"]}
    return values, arguments, errors


def _page_number() -> int:
    text = request.args.get("page", "1")
    return int(text) if text.isdigit() and 0 < int(text) < 1_000_000 else 1


@blueprint.get("/audit")
@role_required("admin")
def audit():
    """The audit log, filtered, a page of 50 entries at a time."""
    db = editorial_db()
    values, arguments, errors = _filters()
    total = log.count(db, **arguments)
    pages = max(1, math.ceil(total / PER_PAGE))
    page = min(_page_number(), pages)
    rows = log.entries(db, **arguments, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
    chosen = {name: value for name, value in values.items() if value and name not in errors}

    def page_url(number: int) -> str:
        return url_for("editor.audit", **chosen, page=number if number > 1 else None)

    return render_template(
        "editor/audit.html", title=_("Audit log"), entries=rows, values=values, errors=errors, total=total,
        page=page, pages=pages, actions=[(action, action) for action in log.actions(db)],
        csv_url=url_for("editor.audit_csv", **chosen),
        previous_url=page_url(page - 1) if page > 1 else None,
        next_url=page_url(page + 1) if page < pages else None), 400 if errors else 200


@blueprint.get("/audit.csv")
@role_required("admin")
def audit_csv():
    """The filtered audit log as a CSV file (and a note in the log that it was read)."""
    db = editorial_db()
    values, arguments, errors = _filters()
    rows = log.entries(db, **arguments)
    # Reading the log is itself worth knowing about: it holds names, emails and addresses.
    chosen = {name: value for name, value in values.items() if value and name not in errors}
    log.record(db, current_user().email, "audit.exported", "", chosen | {"rows": len(rows)},
               request.remote_addr)
    stamp = instance.utc_now().strftime("%Y%m%dT%H%M%SZ")
    return Response(log.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="audit-log-{stamp}.csv"'})
