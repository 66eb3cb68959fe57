"""Practitioner tools: the shortlist and its hand-over, the Menu of Interventions, finding a hub.

One blueprint for the audience (``practitioner.*`` endpoints); each tool's
views live in a module of this package. Nothing here stores anything about a
family: shortlists live in URLs, and a note typed for the printed sheet is
either kept in the browser or (without JavaScript) only rendered back.
"""

from __future__ import annotations

from flask import Blueprint, Flask

blueprint = Blueprint("practitioner", __name__)

CACHE = "public, max-age=300"


@blueprint.after_request
def cache_briefly(response):
    response.headers.setdefault("Cache-Control", CACHE)
    return response


def register(app: Flask) -> None:
    from . import hub_finder, menu, shortlist  # noqa: F401 (their views join the blueprint)

    app.register_blueprint(blueprint)
    shortlist.register_template_helpers(app)
