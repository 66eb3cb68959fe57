"""``/hubs/find?postcode=``: which Early Help Hub covers a family's postcode (no external service)."""

from __future__ import annotations

from flask import render_template, request

from ...practitioner.hub_finder import PostcodeError, find_hub
from .. import live_release
from . import blueprint

MAX_ECHO = 20  # how much of a malformed entry is shown back


@blueprint.get("/hubs/find")
def find_hub_page():
    """The postcode box, and the answer: the hub, a district split between hubs, none, or a mistake."""
    hubs = live_release().directory.hubs
    asked = "postcode" in request.args
    typed = request.args.get("postcode", "")
    lookup, error = None, None
    if asked and not typed.strip():
        error = "empty"
    elif asked:
        try:
            areas = [(hub_id, area) for hub_id, hub in hubs.items() for area in hub["areas"]]
            lookup = find_hub(typed, areas)
        except PostcodeError:
            error = "malformed"
    status = 400 if error else 200
    headers = {"Cache-Control": "no-store"} if error else {}
    return render_template("hub_find.html", typed=typed[:MAX_ECHO], lookup=lookup, error=error,
                           hub=hubs.get(lookup.hub_id) if lookup and lookup.found else None), status, headers
